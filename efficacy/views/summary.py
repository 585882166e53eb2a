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
    summary = selectors.study_summary(request.user)
    summary["table_one"] = selectors.table_one(request.user)
    return exports.summary_pdf_response(summary, request.user)


# --- Table 1: baseline characteristics ------------------------------------------------------


@permission_required("efficacy.view_pulmonaryfunctiontest", raise_exception=True)
def table_one(request):
    return render(request, "efficacy/table_one.html", selectors.table_one(request.user))


@permission_required("safety.download_listing", raise_exception=True)
def table_one_csv(request):
    return exports.table_one_csv_response(selectors.table_one(request.user))
