"""State changes of the schedule: the visits made at enrolment, a visit's date (a deviation
out of its window), completion when its forms are saved, and the check that a subject
accepts data dated D. Each writes its audit entry in the caller's transaction."""

from datetime import date, datetime

from django.db.models import F
from django.utils.translation import gettext as _

from enrollment.models import VISIT_MOVES, Subject, SubjectVisit
from enrollment.schedule import rules, selectors
from trial_edc.accounts.permissions import require
from trial_edc.audit.services import audit_context, audited_save
from trial_edc.core.clock import site_today
from trial_edc.core.problems import Problem, refuse
from trial_edc.core.registry import crf_models, treatment_facts
from trial_edc.core.transactions import service_transaction
from trial_edc.study import study

Outcome = SubjectVisit.Outcome


def schedule_create(*subjects: Subject) -> None:
    """Every visit of the protocol from each subject's day 1, in one statement; screening is
    done at enrolment (on the screening date)."""
    SubjectVisit.objects.bulk_create(
        SubjectVisit(
            subject=subject,
            code=planned.code,
            name=planned.name,
            order=order,
            target_date=planned.target_date,
            window_start=planned.window_start,
            window_end=planned.window_end,
            outcome=Outcome.DONE if planned.code == "SCREENING" else Outcome.PLANNED,
            visit_date=subject.screening.screening_date if planned.code == "SCREENING" else None,
        )
        for subject in subjects
        for order, planned in enumerate(rules.visit_schedule(day1=subject.day1))
    )


def _derived_study_day_models() -> list[type]:
    """Registered CRFs of a subject whose `study_day` is derived (not editable) from a date."""
    found = []
    for entry in crf_models:
        fields = {f.name: f for f in entry.model._meta.concrete_fields}
        day = fields.get("study_day")
        if entry.subject_path == "subject" and day is not None and not day.editable:
            found.append(entry.model)
    return found


def schedule_replan(*, subject: Subject, old_day1: date, user, reason: str) -> int:
    """Day 1 moved: every visit not yet done takes its target and window from the new day 1,
    and every record's derived study day (a non-editable `study_day` of a registered CRF) is
    counted from it, in the caller's transaction. Refused if a visit date already recorded
    would fall outside its new window."""
    planned = {p.code: p for p in rules.visit_schedule(day1=subject.day1)}
    visits = list(subject.visits.select_for_update().filter(outcome=Outcome.PLANNED))
    problems = []
    for visit in visits:
        new = planned[visit.code]
        visit.target_date, visit.window_start, visit.window_end = (
            new.target_date,
            new.window_start,
            new.window_end,
        )
        if visit.visit_date is None:
            continue
        outside = rules.out_of_window(visit.visit_date, new.window_start, new.window_end)
        if outside and not visit.out_of_window:
            problems.append(
                Problem(
                    "day1",
                    _(
                        "The %(visit)s visit took place on %(d)s, outside its new window "
                        "%(start)s – %(end)s: correct its date first."
                    )
                    % {
                        "visit": visit.name,
                        "d": visit.visit_date,
                        "start": new.window_start,
                        "end": new.window_end,
                    },
                )
            )
        elif not outside:
            visit.out_of_window, visit.deviation_reason = False, ""
    refuse(problems)
    shift = (subject.day1 - old_day1).days
    with audit_context(user=user, reason=reason):
        SubjectVisit.objects.bulk_update(
            visits,
            ["target_date", "window_start", "window_end", "out_of_window", "deviation_reason"],
        )
        for model in _derived_study_day_models():
            model.objects.filter(subject=subject).update(study_day=F("study_day") - shift)
    return len(visits)


def _after_last_dose_replan(subject: Subject, *, user, reason: str) -> int:
    """`after_last_dose_replan` in the caller's transaction, without its permission check
    (the caller has checked its own)."""
    facts = treatment_facts(subject.pk)
    over = rules.treatment_over(
        day1=subject.day1,
        today=site_today(subject.site),
        ended_on=subject.ended_on,
        last_day_recorded=facts.last_day_recorded,
    )
    base = rules.last_dose_base(day1=subject.day1, last_dose_given=facts.last_given, over=over)
    planned = {
        v.code: rules.planned_visit(v, day1=subject.day1, last_dose_date=base)
        for v in study().visits
        if v.after_last_dose
    }
    visits = subject.visits.select_for_update().filter(
        code__in=planned, outcome=Outcome.PLANNED, visit_date__isnull=True
    )
    moved = []
    for visit in visits:
        new = planned[visit.code]
        dates = (new.target_date, new.window_start, new.window_end)
        if (visit.target_date, visit.window_start, visit.window_end) != dates:
            visit.target_date, visit.window_start, visit.window_end = dates
            moved.append(visit)
    if moved:
        with audit_context(user=user, reason=reason):
            SubjectVisit.objects.bulk_update(moved, ["target_date", "window_start", "window_end"])
    return len(moved)


@service_transaction
def after_last_dose_replan(*, subject: Subject, user, reason: str) -> int:
    """The visits counted from the last dose (the safety close: `Visit.after_last_dose`) take
    their target and window from the last dose actually given once dosing has ended (the last
    treatment day recorded, the treatment period over at the site, or the subject left:
    `rules.treatment_over`), and from the planned last treatment day until then. Only visits
    still planned, not yet held, move; each move is audited with `reason`. Run again it
    changes nothing. Returns how many visits moved. `user` None: the daily task."""
    subject = Subject.objects.select_related("site").get(pk=subject.pk)
    require(user, "enrollment.change_subjectvisit", subject.site)
    return _after_last_dose_replan(subject, user=user, reason=reason)


def after_last_dose_replan_due() -> int:
    """The daily run: every subject with a visit counted from the last dose still planned
    and whose treatment period is over at their site is re-planned (for a treatment that
    stopped early with no further record). Idempotent: a second run moves nothing."""
    codes = [v.code for v in study().visits if v.after_last_dose]
    subjects = (
        Subject.objects.filter(
            visits__code__in=codes,
            visits__outcome=Outcome.PLANNED,
            visits__visit_date__isnull=True,
        )
        .distinct()
        .select_related("site")
    )
    moved = 0
    for subject in subjects:
        over = rules.treatment_over(
            day1=subject.day1,
            today=site_today(subject.site),
            ended_on=subject.ended_on,
            last_day_recorded=False,  # recorded: its save has re-planned
        )
        if not over:
            continue
        moved += after_last_dose_replan(
            subject=subject, user=None, reason="treatment period over: planned from the last dose"
        )
    return moved


def visits_close(*, subject: Subject, user, reason: str) -> int:
    """The subject left the study: the visits counted from the last dose are planned from
    the last dose given (their record shows when the safety window closes), then the visits
    still planned become not applicable."""
    _after_last_dose_replan(subject, user=user, reason=f"{reason}: planned from the last dose")
    with audit_context(user=user, reason=reason):
        return VISIT_MOVES.move_all(
            subject.visits.all(), from_status=Outcome.PLANNED, to=Outcome.NOT_APPLICABLE
        )


def visits_reopen(*, subject: Subject, user, reason: str) -> int:
    """The end of study is reversed: the visits it made not applicable are planned again,
    those counted from the last dose from where the treatment now stands."""
    with audit_context(user=user, reason=reason):
        reopened = VISIT_MOVES.move_all(
            subject.visits.all(), from_status=Outcome.NOT_APPLICABLE, to=Outcome.PLANNED
        )
    _after_last_dose_replan(subject, user=user, reason=f"{reason}: planned from the last dose")
    return reopened


def visit_refresh(visit_id: int, user) -> SubjectVisit:
    """A planned visit becomes done when its visit date and required forms are all saved (and
    planned again if a correction leaves one missing)."""
    visit = selectors.with_saved_forms(SubjectVisit.objects.select_for_update(of=("self",))).get(
        pk=visit_id
    )
    required = selectors.required_forms(visit)
    saved = selectors.saved_forms(visit)
    missing = [name for name in required if name not in saved]
    if visit.outcome == Outcome.PLANNED and not missing:
        VISIT_MOVES.move(visit, Outcome.DONE)
        audited_save(instance=visit, user=user, reason="visit complete: required forms saved")
    elif visit.outcome == Outcome.DONE and missing:
        VISIT_MOVES.move(visit, Outcome.PLANNED)
        audited_save(instance=visit, user=user, reason="visit incomplete after a correction")
    return visit


def visit_accepting(visit: SubjectVisit) -> SubjectVisit:
    """The visit, fresh, if it still takes data (not missed, not applicable)."""
    visit = SubjectVisit.objects.select_related("subject__site", "subject__screening").get(
        pk=visit.pk
    )
    if visit.outcome in (Outcome.MISSED, Outcome.NOT_APPLICABLE):
        refuse(
            [
                Problem(
                    "__all__",
                    _("This visit is %(o)s; it takes no data.")
                    % {"o": visit.get_outcome_display()},
                )
            ]
        )
    return visit


def data_date_problems(
    subject: Subject, on: date, field: str, *, since_enrolment: bool = True, after_end=False
) -> list[Problem]:
    """`schedule.rules.record_date_problems` for this subject, today at its site."""
    return rules.record_date_problems(
        on,
        field=field,
        today=site_today(subject.site),
        enrolled_on=subject.enrolled_on if since_enrolment else None,
        ended_on=subject.ended_on,
        after_end=after_end,
    )


def check_accepts(subject: Subject, on: date | datetime | None, field: str, **options) -> None:
    """Refuse a record dated `on` (a date, or a moment taken at the site's date) that the
    subject does not accept: in the future, before enrolment, after the subject left."""
    if on is None:
        return
    if isinstance(on, datetime):
        on = site_today(subject.site, on)
    refuse(data_date_problems(subject, on, field, **options))


def assessment_check(visit: SubjectVisit, on: date | None, field: str, *, after_end=False):
    """An assessment of a visit: accepted for the subject (screening-time data allowed at
    baseline), and within the visit's window or on its visit date."""
    if on is None:
        return
    subject = visit.subject
    check_accepts(subject, on, field, since_enrolment=False, after_end=after_end)
    baseline = visit.code == rules.baseline_code()
    refuse(
        rules.assessment_date_problems(
            on,
            field=field,
            window_start=subject.screening.screening_date if baseline else visit.window_start,
            window_end=visit.window_end,
            visit_date=visit.visit_date,
        )
    )


@service_transaction
def visit_date_record(
    *, visit: SubjectVisit, visit_date, deviation_reason: str, user, reason: str = ""
) -> SubjectVisit:
    """The date the visit took place; out of its window it is a deviation with a reason."""
    visit = visit_accepting(visit)
    subject = visit.subject
    require(user, "enrollment.change_subjectvisit", subject.site)
    refuse(
        rules.visit_date_problems(
            visit_date=visit_date,
            window_start=visit.window_start,
            window_end=visit.window_end,
            deviation_reason=deviation_reason,
            today=site_today(subject.site),
            earliest=subject.screening.screening_date,
        )
    )
    check_accepts(subject, visit_date, "visit_date", since_enrolment=False)
    outside = rules.out_of_window(visit_date, visit.window_start, visit.window_end)
    visit.visit_date, visit.out_of_window = visit_date, outside
    visit.deviation_reason = deviation_reason.strip() if outside else ""
    reason = reason or ("protocol deviation: out of window" if outside else "visit date")
    audited_save(instance=visit, user=user, reason=reason)
    return visit_refresh(visit.pk, user)


@service_transaction
def visit_mark_missed(*, visit: SubjectVisit, user, reason: str) -> SubjectVisit:
    """A planned visit past its window that did not take place is missed (with its reason):
    it takes no data and its reminders stop (`reminders.why_not_needed`)."""
    visit = (
        SubjectVisit.objects.select_for_update(of=("self",))
        .select_related("subject__site")
        .get(pk=visit.pk)
    )
    require(user, "enrollment.change_subjectvisit", visit.subject.site)
    refuse(
        rules.missed_problems(
            outcome=visit.outcome,
            window_end=visit.window_end,
            visit_date=visit.visit_date,
            today=site_today(visit.subject.site),
            reason=reason,
        )
    )
    VISIT_MOVES.move(visit, Outcome.MISSED)
    visit.missed_reason = reason.strip()
    audited_save(instance=visit, user=user, reason=f"visit missed: {visit.missed_reason}")
    return visit
