"""Change from baseline for the study: the table, its CSV and its PDF."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from efficacy import exports, selectors

# --- change from baseline: the study -------------------------------------------------------


@permission_required("efficacy.view_pulmonaryfunctiontest", raise_exception=True)
def study_summary(request):
    return render(request, "efficacy/study_summary.html", selectors.study_summary(request.user))


@permission_required("safety.download_listing", raise_exception=True)
def study_summary_csv(request):
    return exports.summary_csv_response(selectors.study_summary(request.user))


@permission_required("safety.download_listing", raise_exception=True)
def study_summary_pdf(request):
    return exports.summary_pdf_response(selectors.study_summary(request.user), request.user)
