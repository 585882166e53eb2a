"""Screening, eligibility, consent and enrolment (screening); subjects, the end of study,
the enrolment summary and the deviation log (subjects)."""

from django.shortcuts import render

PAGE_SIZE = 50  # rows per page of the screening log and the subject list


def form_page(request, form, title: str, **back):
    """One form on a page, with a way back to the screening (back) or subject (back_subject)."""
    return render(request, "enrollment/form.html", {"form": form, "title": title, **back})
