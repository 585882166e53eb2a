"""Recording the efficacy set of a visit. Each function checks the rules (efficacy.rules,
and the schedule's for dates), saves with the audit entry, then lets the visit become done
once its required forms are all saved (enrollment.schedule.services.visit_refresh)."""

from datetime import datetime

from django.utils.translation import gettext as _

from dosing.models import DoseAdministration
from efficacy import rules
from efficacy.models import (
    BloodGas,
    FollowUpStatus,
    HrctScore,
    LabPanel,
    LabResult,
    PulmonaryFunctionTest,
    VitalStatus,
)
from enrollment.models import Subject
from enrollment.schedule.rules import baseline_code
from enrollment.schedule.services import (
    assessment_check,
    check_accepts,
    visit_accepting,
    visit_refresh,
)
from safety.selectors import has_fatal_adverse_event
from safety.services.death import death_record, death_reverse
from trial_edc.accounts.permissions import require_change
from trial_edc.audit.services import audit_context, audited_save
from trial_edc.core.clock import site_moment, site_today, study_day
from trial_edc.core.problems import Problem, refuse
from trial_edc.core.transactions import service_transaction
from trial_edc.study import study


@service_transaction
def blood_gas_record(*, gas: BloodGas, user, reason: str = "") -> BloodGas:
    """Save a blood gas whose PaO2 is in mmHg and FiO2 a fraction (forms convert)."""
    subject = Subject.objects.select_related("site").get(pk=gas.subject_id)
    require_change(user, gas, subject.site)
    visit = visit_accepting(gas.visit) if gas.visit_id else None
    refuse(
        rules.blood_gas_problems(
            pao2_mmhg=gas.pao2,
            paco2=gas.paco2,
            ph=gas.ph,
            fio2=gas.fio2,
            spo2=gas.spo2,
            oxygen_support=gas.oxygen_support,
        )
    )
    check_accepts(subject, gas.sampled_at, "sampled_at")
    if visit is not None:
        assessment_check(visit, site_today(subject.site, gas.sampled_at), "sampled_at")
        if visit.code == baseline_code():
            refuse(rules.pre_dose_problems(gas.sampled_at, first_dose_start(subject)))
    gas.study_day = study_day(subject.day1, site_today(subject.site, gas.sampled_at))
    gas.pf_ratio = rules.pf_ratio(gas.pao2, gas.fio2)
    gas.sf_ratio = rules.sf_ratio(gas.spo2, gas.fio2)
    if gas.recorded_by_id is None:
        gas.recorded_by = user
    audited_save(instance=gas, user=user, reason=reason)
    if gas.visit_id:
        visit_refresh(gas.visit_id, user)
    return gas


def first_dose_start(subject: Subject) -> datetime | None:
    """When the day-1 nebulization started, at the site; None before it is recorded."""
    dose = DoseAdministration.objects.filter(
        subject=subject, study_day=1, start_time__isnull=False
    ).first()
    if dose is None:
        return None
    return site_moment(dose.date, dose.start_time, subject.site)


def _save_visit_record(record, user, reason: str):
    if record.recorded_by_id is None:
        record.recorded_by = user
    audited_save(instance=record, user=user, reason=reason)
    visit_refresh(record.visit_id, user)
    return record


@service_transaction
def pft_record(*, pft: PulmonaryFunctionTest, user, reason: str = ""):
    visit = visit_accepting(pft.visit)
    require_change(user, pft, visit.subject.site)
    refuse(
        rules.pft_problems(
            done=pft.done,
            not_done_reason=pft.not_done_reason,
            not_done_detail=pft.not_done_detail,
            performed_on=pft.performed_on,
            fvc_litres=pft.fvc_litres,
            fvc_percent_predicted=pft.fvc_percent_predicted,
            dlco_percent_predicted=pft.dlco_percent_predicted,
            reference_equation=pft.reference_equation,
        )
    )
    assessment_check(visit, pft.performed_on, "performed_on")
    if pft.done:
        pft.not_done_reason, pft.not_done_detail = "", ""
    return _save_visit_record(pft, user, reason)


@service_transaction
def hrct_record(*, hrct: HrctScore, user, reason: str = ""):
    """Totals are computed here from the zone scores, never typed."""
    visit = visit_accepting(hrct.visit)
    require_change(user, hrct, visit.subject.site)
    by_number = hrct.zone_scores()
    if hrct.done:
        scores = rules.hrct_zone_scores(by_number)
        problems = rules.hrct_score_problems(scores)
        if hrct.scanned_on is None:
            problems.append(Problem("scanned_on", _("Give the scan date.")))
        if not hrct.reader.strip():
            problems.append(Problem("reader", _("Who read the scan?")))
        refuse(problems)
        hrct.ggo_total, hrct.fibrosis_total, hrct.total = rules.hrct_totals(scores)
        hrct.not_done_reason, hrct.not_done_detail = "", ""
    else:
        refuse(
            rules.hrct_not_done_problems(
                not_done_reason=hrct.not_done_reason,
                not_done_detail=hrct.not_done_detail,
                any_score=any(v is not None for pair in by_number.values() for v in pair),
            )
        )
        hrct.ggo_total = hrct.fibrosis_total = hrct.total = None
    assessment_check(visit, hrct.scanned_on, "scanned_on")
    return _save_visit_record(hrct, user, reason)


@service_transaction
def lab_panel_record(*, panel: LabPanel, results: dict, user, reason: str = "") -> LabPanel:
    """`results`: test code -> (value, unit, reference low, reference high), in the unit
    entered; a test without a value is not reported (an existing result of it is removed)."""
    visit = visit_accepting(panel.visit)
    require_change(user, panel, visit.subject.site)
    problems = []
    for test in study().labs:
        value, unit, low, high = results.get(test.code, (None, test.unit, None, None))
        problems += rules.lab_result_problems(test, value=value, unit=unit, low=low, high=high)
    if all(results.get(t.code, (None,))[0] is None for t in study().labs):
        problems.append(
            Problem("__all__", _("Enter at least one result (a panel with none is empty)."))
        )
    refuse(problems)
    assessment_check(visit, panel.sampled_on, "sampled_on")
    if panel.recorded_by_id is None:
        panel.recorded_by = user
    audited_save(instance=panel, user=user, reason=reason)
    existing = {r.test_code: r for r in LabResult.objects.filter(panel=panel)}
    for test in study().labs:
        value, unit, low, high = results.get(test.code, (None, test.unit, None, None))
        result = existing.get(test.code)
        if value is None:
            if result is not None:
                with audit_context(user=user, reason=reason or "result removed"):
                    result.delete()
            continue
        result = result or LabResult(panel=panel, test_code=test.code)
        entered = (value, unit, low, high)
        if result.pk and entered == (
            result.value,
            result.unit,
            result.reference_low,
            result.reference_high,
        ):
            continue
        result.value, result.unit, result.reference_low, result.reference_high = entered
        result.value_standard = rules.lab_value_standard(test, value, unit)
        result.flag = rules.lab_flag(value, low, high)
        audited_save(instance=result, user=user, reason=reason)
    visit_refresh(panel.visit_id, user)
    return panel


@service_transaction
def follow_up_record(*, follow_up: FollowUpStatus, user, reason: str = "") -> FollowUpStatus:
    """Survival status; a death (with its fatal AE on file) ends the subject's study."""
    visit = visit_accepting(follow_up.visit)
    require_change(user, follow_up, visit.subject.site)
    subject = visit.subject
    refuse(
        rules.death_problems(
            vital_status=follow_up.vital_status,
            death_date=follow_up.death_date,
            death_cause=follow_up.death_cause,
            assessed_on=follow_up.assessed_on,
            day1=subject.day1,
            has_fatal_adverse_event=has_fatal_adverse_event(subject.pk),
        )
    )
    dead = follow_up.vital_status == VitalStatus.DEAD
    was_dead = FollowUpStatus.objects.filter(
        pk=follow_up.pk or 0, vital_status=VitalStatus.DEAD
    ).exists()
    # the contact that learns of a death comes after it (and after the end of study)
    assessment_check(visit, follow_up.assessed_on, "assessed_on", after_end=dead or was_dead)
    if was_dead and not dead and subject.status == Subject.Status.DIED:
        death_reverse(subject=subject, user=user, reason=reason)
    _save_visit_record(follow_up, user, reason)
    if dead:
        # the end of study: one service for a death learnt of at a visit or on any day
        death_record(
            subject=subject,
            user=user,
            died_on=follow_up.death_date,
            cause=follow_up.death_cause,
            reason=reason,
        )
    return follow_up
