"""The "Casebook PDF" action of a subject (casebook page, subject dashboard): asks the worker
for the subject's casebook and leads to the exports page, where it is followed and fetched."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from datamanagement.exports import services
from enrollment.selectors import subject_or_404

REQUEST = "datamanagement.request_export"


@permission_required(REQUEST, raise_exception=True)
@require_http_methods(["GET", "POST"])
def casebook_request(request, subject_id: int):
    """GET: what will be made; POST: ask the worker for it (in the asker's language)."""
    subject = subject_or_404(request.user, subject_id)
    if request.method == "POST":
        try:
            services.export_request(
                user=request.user,
                kind="casebook",
                sites=[subject.site.code],
                subject=subject.subject_number,
                language=get_language() or "en",
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("datamanagement:casebook", subject_id=subject.pk)
        messages.info(
            request,
            _("The casebook of %(subject)s is being made by the worker.")
            % {"subject": subject.subject_number},
        )
        return redirect("datamanagement:export_list")
    return render(request, "datamanagement/exports/casebook_request.html", {"subject": subject})
