"""What every app's forms and views share: date widgets, refusals next to their fields, a
form saved unchanged, the add/change permission of a CRF page, and the CRF page itself."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
YES_NO = [(True, _("Yes")), (False, _("No"))]


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal next to the fields it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def add_problems(form, problems) -> None:
    """Rule problems (core.problems.Problem) as form errors, next to their field."""
    for p in problems:
        form.add_error(p.field if p.field in form.fields else None, p.message)


def unchanged(request, form) -> bool:
    """A saved record sent back without a change (a reason typed alone is none): say so, and
    let the view write nothing (no history row, no signature voided)."""
    if form.is_change and not form.has_data_changes():
        messages.info(request, _("Nothing changed."))
        return True
    return False


def require_add_or_change(request, model, *, exists: bool) -> None:
    """A new record needs the add permission of its model, an edit the change permission."""
    action = "change" if exists else "add"
    if not request.user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}"):
        raise PermissionDenied


def crf_page(request, form, *, title: str, back_url: str, subtitle: str = ""):
    """A CRF form on its own page (templates/crf_form.html)."""
    return render(
        request,
        "crf_form.html",
        {"form": form, "title": title, "back_url": back_url, "subtitle": subtitle},
    )
