"""Freeze and lock, what pages read (a fixed number of queries whatever the rows)."""

from datamanagement.locks import rules
from datamanagement.models.locks import DataLock, LockCertificate, LockState
from datamanagement.places import subject_and_visit_of
from trial_edc.core import registry


def state_of(target: str) -> str:
    row = DataLock.objects.filter(target=target).values_list("state", flat=True).first()
    return row or LockState.OPEN


def states_by_target(targets) -> dict[str, str]:
    """Target -> state, for the targets that have a row (one query)."""
    return dict(DataLock.objects.filter(target__in=list(targets)).values_list("target", "state"))


def parent_records_of(record) -> list[tuple[str, int]]:
    """(label, pk) of the CRF records above a record on its subject_path (as the trigger)."""
    from enrollment.models import Subject, SubjectVisit

    crf = registry.crf_models.get(record._meta.label_lower)
    if crf is None or not crf.subject_path:
        return []
    found, obj = [], record
    for step in crf.subject_path.split("__"):
        obj = getattr(obj, step)
        label = obj._meta.label_lower
        if not isinstance(obj, Subject | SubjectVisit) and label in registry.crf_models:
            found.append((label, obj.pk))
    return found


def record_state(record, facts: dict | None = None) -> tuple[str, str]:
    """(effective state, the level it comes from) of a saved CRF record (two queries; one
    when given the record's `places.record_facts`)."""
    return record_states(record, facts)[:2]


def record_states(record, facts: dict | None = None) -> tuple[str, str, str]:
    """(effective state, the level it comes from, the record's own state) of a saved CRF
    record (two queries; one when given the record's `places.record_facts`)."""
    if facts is not None:
        subject_id, visit_id = facts["subject_id"], facts["visit_id"]
    else:
        subject_id, visit_id = subject_and_visit_of(record)
    targets = {rules.STUDY: "study"}
    if subject_id:
        targets[rules.subject_target(subject_id)] = "subject"
    if visit_id:
        targets[rules.visit_target(visit_id)] = "visit"
    own = rules.record_target(record._meta.label_lower, record.pk)
    targets[own] = "record"
    for label, pk in parent_records_of(record):
        targets[rules.record_target(label, pk)] = "record"
    states = states_by_target(targets)
    best, level = LockState.OPEN, ""
    for target, state in states.items():
        if rules.strongest(best, state) != best:
            best, level = state, targets[target]
    return best, level, states.get(own, LockState.OPEN)


def study_state() -> str:
    return state_of(rules.STUDY)


def subjects_with_states(subjects):
    """The subjects (a queryset) as a list, each with `.own_state` and `.effective_state`,
    and its visits with theirs (`.lock_visits`): three queries whatever the number."""
    from enrollment.models import SubjectVisit

    subjects = list(subjects)
    ids = [s.pk for s in subjects]
    visits = list(SubjectVisit.objects.filter(subject_id__in=ids).order_by("subject_id", "pk"))
    targets = [rules.STUDY, *(rules.subject_target(i) for i in ids)]
    targets += [rules.visit_target(v.pk) for v in visits]
    states = states_by_target(targets)
    study = states.get(rules.STUDY, LockState.OPEN)
    by_subject: dict[int, list] = {}
    for v in visits:
        by_subject.setdefault(v.subject_id, []).append(v)
    for s in subjects:
        s.own_state = states.get(rules.subject_target(s.pk), LockState.OPEN)
        s.effective_state = rules.strongest(study, s.own_state)
        s.lock_visits = by_subject.get(s.pk, [])
        for v in s.lock_visits:
            v.own_state = states.get(rules.visit_target(v.pk), LockState.OPEN)
            v.effective_state = rules.strongest(s.effective_state, v.own_state)
    return subjects


def certificates():
    return LockCertificate.objects.select_related("locked_by").order_by("-locked_at")


def lock_blockers() -> list[tuple[object, list]]:
    """Every registered blocker with what it lists now: [(blocker, [(text, link), ...])]
    (data management's three in one query)."""
    from datamanagement.locks.blockers import read_together

    with read_together():
        return [(b, list(b.blockers())) for b in registry.lock_blockers]


def subject_lock_summary(subject) -> dict:
    """What is frozen or locked of one subject (for its dashboard), in one query: the
    study, the subject and each of its visits or records that is not open (none when the
    subject was read with data management's facts, `subject_facts`)."""
    from django.db.models import Q

    from datamanagement.subject_facts import lock_rows

    rows = lock_rows(subject)  # read with the subject, for its dashboard
    if rows is None:
        rows = list(
            DataLock.objects.filter(Q(target=rules.STUDY) | Q(subject_id=subject.pk))
            .exclude(state=LockState.OPEN)
            .values_list("level", "target", "state", "visit__code", "record_model", "record_id")
            .order_by("level", "target")
        )
    study = next((state for level, _t, state, *_r in rows if level == "study"), None)
    own = next((state for level, _t, state, *_r in rows if level == "subject"), None)
    parts = [
        {"level": level, "state": state, "visit": code, "record": f"{model} {pk}"}
        for level, _t, state, code, model, pk in rows
        if level in ("visit", "record")
    ]
    return {"state": rules.strongest(study, own), "parts": parts}
