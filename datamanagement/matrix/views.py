from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render

from datamanagement.matrix.selectors import subject_matrix
from trial_edc.accounts.selectors import sites_for


@permission_required("enrollment.view_subject", raise_exception=True)
def matrix(request):
    """Subjects × visits of one of the user's sites (?site=<code>, else their first)."""
    sites = list(sites_for(request.user).order_by("code"))
    if not sites:
        raise Http404
    code = request.GET.get("site", "")
    site = next((s for s in sites if s.code == code), None)
    if code and site is None:
        raise Http404
    site = site or sites[0]
    return render(
        request,
        "datamanagement/matrix/matrix.html",
        {"matrix": subject_matrix(site), "site": site, "sites": sites},
    )
