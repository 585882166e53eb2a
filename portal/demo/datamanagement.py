"""Demo data management: queries in each state, a verified form, a frozen visit and a signed
casebook, so that every data-management page of the demo shows something."""

from datamanagement.locks.services import change_lock
from datamanagement.models.locks import Level
from datamanagement.queries.services import query_answer, query_close, query_raise
from datamanagement.sdv.selectors import latest_seq
from datamanagement.sdv.services import record_verify
from enrollment.models import Consent, Subject
from safety.models import VitalSigns
from trial_edc.accounts.models import User


def datamanagement_demo_seed() -> None:
    monitor = User.objects.get(username="monitor")
    coordinator = User.objects.get(username="coordinator")
    data_manager = User.objects.get(username="datamanager")
    febrile = VitalSigns.objects.filter(subject__subject_number="01-002", study_day=5).first()
    if febrile is not None:
        query_raise(
            user=monitor,
            record=febrile,
            field="oxysat",
            text="SpO2 89 % with fever on day 5: was oxygen started? Please check the source.",
        )
    first = VitalSigns.objects.filter(subject__subject_number="01-001", study_day=1).first()
    if first is not None:
        answered = query_raise(
            user=monitor, record=first, field="temp", text="Temperature taken orally or axillary?"
        )
        query_answer(user=coordinator, query=answered, text="Axillary, as per the site's SOP.")
        closed = query_raise(
            user=monitor, record=first, field="hr", text="Heart rate matches the monitor print-out?"
        )
        query_answer(user=coordinator, query=closed, text="Yes, checked against the print-out.")
        query_close(user=monitor, query=closed)
    for consent in Consent.objects.filter(
        screening__subject__subject_number__in=["01-001", "01-003"]
    ):
        record_verify(user=monitor, record=consent, seen_seq=latest_seq(consent))
    subject = Subject.objects.filter(subject_number="01-004").first()
    baseline = subject.visits.filter(code="BASELINE").first() if subject else None
    if baseline is not None:
        change_lock(
            user=data_manager,
            action="freeze",
            level=Level.VISIT,
            subject=subject,
            visit=baseline,
            reason="Baseline reviewed by the monitor",
        )
