"""What every app's forms and views share: date widgets, bounded dates, refusals next to
their fields, a form saved unchanged, a study day from a URL, the add/change permission of a
CRF page, and the CRF page itself."""

from datetime import date, datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
YES_NO = [(True, gettext_lazy("Yes")), (False, gettext_lazy("No"))]

EARLIEST_YEAR = 1900  # no date a person types in this trial lies before it
AHEAD = timedelta(days=366)  # nor more than a year ahead (a planned date)


def latest_today() -> date:
    """The latest calendar date anywhere now (UTC+14): a date after it is in the future at
    every site. Forms bound with it; services check the site's own date (`site_today`)."""
    return (timezone.now() + timedelta(hours=14)).date()


def date_bounds_problem(value: date | datetime, *, may_be_future: bool = False) -> str:
    """Why a typed date (or the date of a date-time) is refused, "" if it is not: before
    1900, more than a year ahead, or in the future where it cannot be."""
    day = value.date() if isinstance(value, datetime) else value
    first = date(EARLIEST_YEAR, 1, 1)
    latest = latest_today()
    if not may_be_future:
        if day > latest:
            return _("This date cannot be in the future.")
        if day < first:
            return _("Enter a date from %(first)s on.") % {"first": first.isoformat()}
        return ""
    if not first <= day <= latest + AHEAD:
        return _("Enter a date between %(first)s and %(last)s.") % {
            "first": first.isoformat(),
            "last": (latest + AHEAD).isoformat(),
        }
    return ""


class DateBounds:
    """A form-field validator for `date_bounds_problem` (runs before any date arithmetic, so a
    year 0001 or 9999 is a message next to its field, never an overflow)."""

    def __init__(self, *, may_be_future: bool = False):
        self.may_be_future = may_be_future

    def __call__(self, value) -> None:
        if value is None:
            return
        problem = date_bounds_problem(value, may_be_future=self.may_be_future)
        if problem:
            raise ValidationError(problem, code="date_bounds")


def bound_dates(form, *, may_be_future=()) -> None:
    """Bound every date and date-time field of `form`: from 1900, and not in the future
    unless named in `may_be_future` (then at most a year ahead)."""
    for name, field in form.fields.items():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            field.validators.append(DateBounds(may_be_future=name in may_be_future))


class BoundedDatesMixin:
    """Bounds the form's dates (`bound_dates`); `may_be_future` names the planned ones.
    Put it first: class MyForm(BoundedDatesMixin, ReasonForChangeMixin, forms.ModelForm)."""

    may_be_future: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_dates(self, may_be_future=self.may_be_future)


def study_day_or_404(day, days: range) -> int:
    """A study day from a URL or a query string: one of `days` (e.g. the treatment days), or
    404 (never an overflow in date arithmetic)."""
    try:
        day = int(day)
    except (TypeError, ValueError):
        raise Http404 from None
    if day not in days:
        raise Http404
    return day


def study_day_param(request, days: range, name: str = "day") -> int | None:
    """`?day=` of a request: None when absent or empty, else `study_day_or_404`."""
    raw = request.GET.get(name, "")
    return None if raw == "" else study_day_or_404(raw, days)


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
