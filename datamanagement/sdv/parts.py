"""Verification shown with a saved CRF record (registry.record_parts): each item verified,
changed since verified or to verify, and "verify this form" for monitors."""

from django.urls import reverse
from django.utils.text import capfirst

from datamanagement.places import page_facts
from datamanagement.sdv import rules, selectors
from datamanagement.sdv.services import VERIFY
from datamanagement.subject_facts import sdv_state

ANNOTATION = "_dm_sdv"


def _sdv(record):
    """The record's verification, read once for its page (with the record's facts the other
    parts share: `places.record_facts`)."""
    cached = getattr(record, ANNOTATION, None)
    if cached is None:
        cached = selectors.record_sdv(record, facts=page_facts(record))
        setattr(record, ANNOTATION, cached)
    return cached


def context(request, record) -> dict:
    sdv = _sdv(record)
    if sdv is None:
        return {}
    items = [
        {
            "label": str(capfirst(sdv.info.field(name).verbose_name)),
            "status": status,
            "status_label": rules.STATUS_LABELS[status],
            "row": sdv.rows.get(name),
        }
        for name, status in sdv.items.items()
    ]
    return {
        "sdv": sdv,
        "items": items,
        "can_verify": request.user.has_perm(VERIFY),
        "verify_url": reverse("datamanagement:sdv_verify_record", args=[sdv.info.label, record.pk]),
        "next": request.get_full_path(),
    }


def annotate_form(request, form) -> None:
    """A status badge next to each required item (its help text)."""
    record = form.instance
    sdv = _sdv(record)
    if sdv is None:
        return
    for name, status in sdv.items.items():
        field = form.fields.get(name)
        if field is None:
            continue
        badge = str(rules.STATUS_LABELS[status])
        field.help_text = f"{field.help_text} [{badge}]" if field.help_text else f"[{badge}]"


def dashboard_panel(request, subject) -> dict:
    """The subject's verification and casebook state on the subject dashboard, in one query:
    items verified and changed since verified, and the valid casebook signature if any (the
    items still to verify are on the casebook page); none when read with the subject."""
    state = sdv_state(subject)  # read with the subject (data management's subject facts)
    if state is None:
        state = selectors.subject_dashboard_state(subject.pk)
    return {"subject": subject, "state": state}
