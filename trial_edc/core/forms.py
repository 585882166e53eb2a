"""What every app's forms and views share: date widgets, bounded dates, refusals next to
their fields, a form saved unchanged, a form sent twice, a study day from a URL, the
add/change permission of a CRF page, and the CRF page itself."""

import logging
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trial_edc.audit.forms import unchanged
from trial_edc.audit.models import Submission
from trial_edc.core import registry
from trial_edc.core.locks import is_record_locked, record_locked_message
from trial_edc.core.transactions import whole_transaction

logger = logging.getLogger(__name__)

__all__ = ["unchanged"]  # re-exported: the one "nothing changed" check (trial_edc.audit.forms)


class SectionsMixin:
    """A long form in titled sections (issue 19): `sections` lists (title, rows), a row being
    a field name alone or a tuple of short fields shown side by side (one under the other on
    a phone). Fields the sections do not name (the one-time key, the reason for change) come
    last. Pages render it with `{% crispy form %}` (crf_form.html), without a second <form>."""

    sections: tuple = ()

    @cached_property
    def helper(self) -> FormHelper:
        """Laid out when the page is drawn, not for a POST that saves and redirects."""
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True
        helper.render_unmentioned_fields = True
        helper.layout = Layout(
            *(
                Fieldset(title, *(self._row(r) for r in rows if self._present(r)))
                for title, rows in self.sections
            )
        )
        return helper

    def _present(self, row) -> bool:
        names = (row,) if isinstance(row, str) else row
        return any(name in self.fields for name in names)

    def _row(self, row):
        if isinstance(row, str):
            return row
        names = [name for name in row if name in self.fields]
        width = max(3, 12 // len(names))
        return Row(*(Column(name, css_class=f"col-12 col-sm-6 col-md-{width}") for name in names))


# Text inputs, not the browser's date pickers: a person types 2025-04-15, 2025/04/15 or
# 2025年4月15日 (settings.FORMAT_MODULE_PATH, trial_edc/formats) and sees ISO back.
DATE = forms.DateInput(
    attrs={"placeholder": "2025-04-15", "inputmode": "numeric", "autocomplete": "off"},
    format="%Y-%m-%d",
)
DATETIME = forms.DateTimeInput(
    attrs={"placeholder": "2025-04-15 08:30", "autocomplete": "off"}, format="%Y-%m-%d %H:%M"
)
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


SUBMISSION_FIELD = "submission"
_KEY = re.compile(r"[0-9a-f]{32}")


class SubmitOnceMixin:
    """The form of a new record carries a one-time key, a hidden field that `crf_save` claims
    in the transaction of the save: the same form sent twice lands on the saved record.
    class MyForm(BoundedDatesMixin, SubmitOnceMixin, ReasonForChangeMixin, forms.ModelForm)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            self.fields[SUBMISSION_FIELD] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=uuid.uuid4().hex
            )


def _submission_key(request) -> str:
    """The one-time key the POST carries, "" if none (or not one this app made)."""
    key = request.POST.get(SUBMISSION_FIELD, "")
    return key if _KEY.fullmatch(key) else ""


def _to_saved_record(request, landing: str) -> HttpResponse:
    messages.info(request, _("This form was already saved: here is the saved record."))
    return redirect(landing)


def already_saved(request, landing: str) -> HttpResponse:
    """A record that exists once (the re-screening of a screen failure) is already saved: to
    its page, saying so, writing nothing."""
    return _to_saved_record(request, landing)


def crf_save(request, form, *, save: Callable[[], str], back: str) -> HttpResponse | None:
    """The POST of a CRF page, the same on every page. In order:
    - the form is refused: None (the view shows it again, with what is wrong), unless its
      one-time key was already used (a double click, a resent POST): then to the page of the
      record it saved, saying so, writing nothing;
    - the same for a create form sent again that now edits the record it saved; a saved
      record sent back unchanged (`unchanged`): "nothing changed", to `back`;
    - else `save()`, which calls the service, says what was saved and returns the page of
      the saved record, in one transaction that ends by claiming the form's key with that
      page. A key claimed already (the same form sent twice; a second POST sent while the
      first is still saving waits on the key until the first commits) rolls the whole save
      back and lands on the first one's record. A refusal of the service goes next to its
      fields (None). A write the database refuses because the record is frozen or locked is
      a message above the form (None)."""
    key = _submission_key(request)
    if not form.is_valid():
        return _to_saved_if_claimed(request, key)
    # a create form sent again finds its record saved: the form of a saved record now
    if getattr(form, "is_change", False) and (saved := _to_saved_if_claimed(request, key)):
        return saved
    if unchanged(request, form):
        return redirect(back)
    try:
        with whole_transaction():  # a failure rolls all of it back: no savepoint for save()
            landing = save()
            if key and not _claim(key, request.user, landing):
                raise _SavedMeanwhile
    except _SavedMeanwhile:
        return _to_saved_if_claimed(request, key) or redirect(back)
    except ValidationError as exc:
        if saved := _to_saved_if_claimed(request, key):
            return saved
        apply_errors(form, exc)
        return None
    except DatabaseError as exc:
        if saved := _to_saved_if_claimed(request, key):  # the same form's row is there
            return saved
        # the database refused a write to a frozen or locked record (data management)
        if not is_record_locked(exc):
            raise
        form.add_error(None, record_locked_message())
        return None
    _after_save(getattr(form, "instance", None))
    return redirect(landing)


def _to_saved_if_claimed(request, key: str) -> HttpResponse | None:
    """The page of the record saved with this one-time key, if one was (None if not)."""
    if not key:
        return None
    landing = Submission.objects.filter(key=key).values_list("landing", flat=True).first()
    return _to_saved_record(request, landing) if landing else None


def _after_save(record) -> None:
    """The registered after-save hooks (data management's edit checks); a failing hook is
    logged and never breaks the save, which is committed already."""
    for hook in registry.after_save_hooks:
        try:
            hook.run(record)
        except Exception:
            logger.exception("after-save hook %s failed", hook.key)


class _SavedMeanwhile(Exception):
    """The key was claimed by another POST of the same form, which has committed."""


_CLAIM = (
    "INSERT INTO audit_submission (key, user_id, saved_at, landing)"
    " VALUES (%s, %s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING id"
)


def _claim(key: str, user, landing: str) -> bool:
    """Claim the key for the page of the saved record in one statement; False if it is taken
    (a concurrent claim of the same key is waited for until it commits or rolls back)."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, [key, user.pk, timezone.now(), landing])
        return cursor.fetchone() is not None


def require_add_or_change(request, model, *, exists: bool) -> None:
    """A new record needs the add permission of its model, an edit the change permission."""
    action = "change" if exists else "add"
    if not request.user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}"):
        raise PermissionDenied


def crf_page(request, form, *, title: str, back_url: str, subtitle: str = ""):
    """A CRF form on its own page (templates/crf_form.html), with the registered parts of a
    saved record (`registry.record_parts`: its queries, verification, freeze or lock)."""
    record = getattr(form, "instance", None)
    parts, read_only = [], False
    if record is not None and record.pk is not None:
        for part in registry.record_parts:
            parts.append((part.template, part.context(request, record)))
            if part.annotate_form is not None:
                part.annotate_form(request, form)
            read_only = read_only or bool(part.read_only and part.read_only(record))
    if read_only:  # frozen or locked: shown, not editable
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "crf_form.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "subtitle": subtitle,
            "record_parts": parts,
            "read_only": read_only,
        },
    )
