"""Recording the safety laboratory and keeping its AE proposals in line with the results:
a value at grade 3 or more, or risen by 2 grades from baseline, proposes an AE to the site's
investigators — it never creates one. The investigator confirms it (the AE is saved through
the normal AE service) or says it is not an AE, with a reason."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.models import Subject
from enrollment.schedule.services import check_accepts
from safety.labs import selectors
from safety.labs.rules import lab_result_problems
from safety.models import (
    LAB_SIGNAL_MOVES,
    AdverseEvent,
    CtcaeTerm,
    LabReferenceRange,
    LabSignal,
    SafetyLabPanel,
    SafetyLabResult,
)
from trial_edc.accounts.permissions import require, require_change
from trial_edc.audit.services import audit_context, audited_save
from trial_edc.core.clock import site_today, study_day
from trial_edc.core.problems import Problem, refuse
from trial_edc.core.transactions import service_transaction
from trial_edc.study import study

Entered = tuple[Decimal | None, str, Decimal | None, Decimal | None]  # value, unit, LLN, ULN


def safety_lab_problems(results: dict[str, Entered]) -> list[Problem]:
    """Impossible values (the study's plausible ranges), unknown units, limits out of order,
    and an empty panel; field names as on the form."""
    problems = []
    for test in study().safety_labs:
        value, unit, low, high = results.get(test.code, (None, test.unit, None, None))
        problems += lab_result_problems(test, value=value, unit=unit, low=low, high=high)
    if all(results.get(t.code, (None,))[0] is None for t in study().safety_labs):
        problems.append(
            Problem("__all__", _("Enter at least one result (a panel with none is empty)."))
        )
    return problems


@service_transaction
def safety_lab_record(
    *, panel: SafetyLabPanel, results: dict[str, Entered], user, reason: str = ""
) -> SafetyLabPanel:
    """Save a panel and its results (a test without a value is not reported: an existing
    result of it is removed), then bring the subject's AE proposals in line."""
    subject = Subject.objects.select_related("site").get(pk=panel.subject_id)
    require_change(user, panel, subject.site)
    refuse(safety_lab_problems(results))
    # a baseline may be taken at screening, before enrolment
    check_accepts(subject, panel.specimen_at, "specimen_at", since_enrolment=False)
    panel.study_day = study_day(subject.day1, site_today(subject.site, panel.specimen_at))
    if panel.recorded_by_id is None:
        panel.recorded_by = user
    audited_save(instance=panel, user=user, reason=reason)
    existing = {r.test_code: r for r in SafetyLabResult.objects.filter(panel=panel)}
    for test in study().safety_labs:
        value, unit, lln, uln = results.get(test.code, (None, test.unit, None, None))
        result = existing.get(test.code)
        if value is None:
            if result is not None:
                with audit_context(user=user, reason=reason or "result removed"):
                    LabSignal.objects.filter(result=result).update(result=None)
                    result.delete()
            continue
        result = result or SafetyLabResult(panel=panel, test_code=test.code)
        entered = (value, unit, lln, uln)
        if result.pk and entered == (result.value, result.unit, result.lln, result.uln):
            continue
        result.value, result.unit, result.lln, result.uln = entered
        result.value_si = test.to_standard(value, unit)
        audited_save(instance=result, user=user, reason=reason)
    lab_signals_sync(subject_id=subject.pk, user=user)
    return panel


@service_transaction
def lab_signals_sync(*, subject_id: int, user=None) -> None:
    """One proposal per result that calls for it (idempotent): a new one opened; an open one
    updated to the result's grade now; an open one whose result no longer calls for it (a
    correction) closed, and re-opened if a later correction calls for it again. A decided
    one (confirmed, not an AE) is kept as decided."""
    graded = selectors.graded_results([subject_id])
    signals = {s.result_id: s for s in LabSignal.objects.filter(subject_id=subject_id)}
    terms = dict(
        CtcaeTerm.objects.filter(meddra_code__in={g.grade.meddra_code for g in graded}).values_list(
            "meddra_code", "pk"
        )
    )
    with audit_context(user=user, reason="laboratory AE proposals kept in line with the results"):
        seen = set()
        for g in graded:
            r = g.result
            signal = signals.get(r.pk)
            seen.add(r.pk)
            if not g.signal:
                if signal is not None and signal.status == LabSignal.Status.OPEN:
                    LAB_SIGNAL_MOVES.move(signal, LabSignal.Status.CLOSED)
                    signal.save()
                continue
            values = {
                "grade": g.grade.grade,
                "baseline_grade": g.baseline_grade.grade if g.baseline_grade else None,
                "explanation": g.grade.explanation,
                "test_code": r.test_code,
                "ctcae_term_id": terms.get(g.grade.meddra_code),
                "specimen_on": site_today(r.panel.subject.site, r.panel.specimen_at),
            }
            if signal is None:
                LabSignal.objects.create(result=r, subject_id=subject_id, **values)
                continue
            if signal.status not in (LabSignal.Status.OPEN, LabSignal.Status.CLOSED):
                continue
            if signal.status == LabSignal.Status.CLOSED:
                LAB_SIGNAL_MOVES.move(signal, LabSignal.Status.OPEN)
            elif all(getattr(signal, k) == v for k, v in values.items()):
                continue
            for k, v in values.items():
                setattr(signal, k, v)
            signal.save()
        # a removed result: its open proposal closes
        for signal in signals.values():
            if signal.result_id not in seen and signal.status == LabSignal.Status.OPEN:
                LAB_SIGNAL_MOVES.move(signal, LabSignal.Status.CLOSED)
                signal.save()


def _decide_check(user, signal: LabSignal) -> LabSignal:
    subject = Subject.objects.select_related("site").get(pk=signal.subject_id)
    require(user, "safety.decide_labsignal", subject.site)
    signal = LabSignal.objects.select_for_update().get(pk=signal.pk)
    if signal.status != LabSignal.Status.OPEN:
        raise ValidationError(_("This proposal was already decided or closed."))
    return signal


@service_transaction
def lab_signal_not_ae(*, signal: LabSignal, user, reason: str) -> LabSignal:
    """The investigator says the value is not an adverse event, and why (audited)."""
    signal = _decide_check(user, signal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this value is not an adverse event.")})
    LAB_SIGNAL_MOVES.move(signal, LabSignal.Status.NOT_AE)
    signal.reason, signal.decided_by, signal.decided_at = reason, user, timezone.now()
    with audit_context(user=user, reason=reason):
        signal.save()
    return signal


@service_transaction
def lab_signal_confirm(*, signal: LabSignal, adverse_event: AdverseEvent, user) -> LabSignal:
    """The AE the investigator saved from the proposal (through the AE service) confirms it."""
    signal = _decide_check(user, signal)
    if adverse_event.subject_id != signal.subject_id:
        raise ValidationError(_("The adverse event is of another subject."))
    LAB_SIGNAL_MOVES.move(signal, LabSignal.Status.CONFIRMED)
    signal.adverse_event, signal.decided_by, signal.decided_at = adverse_event, user, timezone.now()
    with audit_context(user=user, reason="confirmed as an adverse event"):
        signal.save()
    return signal


@service_transaction
def lab_range_record(*, lab_range: LabReferenceRange, user, reason: str = "") -> LabReferenceRange:
    """A site's reference range for a test from a date on (data managers)."""
    require_change(user, lab_range, lab_range.site)
    test = next((t for t in study().safety_labs if t.code == lab_range.test_code), None)
    problems = []
    if test is None:
        problems.append(Problem("test_code", _("Choose one of the safety laboratory tests.")))
    elif lab_range.unit not in test.units:
        problems.append(Problem("unit", _("Choose one of %(u)s.") % {"u": ", ".join(test.units)}))
    if lab_range.lln is None and lab_range.uln is None:
        problems.append(Problem("uln", _("Give the LLN, the ULN or both.")))
    if lab_range.lln is not None and lab_range.uln is not None and lab_range.lln > lab_range.uln:
        problems.append(Problem("uln", _("The upper limit is below the lower one.")))
    refuse(problems)
    if lab_range.recorded_by_id is None:
        lab_range.recorded_by = user
    audited_save(instance=lab_range, user=user, reason=reason)
    return lab_range
