"""Adverse events: the protocol's rules, the derived flags and the pages."""

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from dosing.models import DoseAdministration
from dosing.services import dose_record
from portal.demo.enrollment import complete_checklist, open_screening
from safety import rules
from safety.models import AdverseEvent, AdverseEventFollowUp, CtcaeTerm
from safety.services import adverse_events

ONSET = date(2026, 4, 10)
FACTS = rules.AdverseEventFacts(
    onset=ONSET,
    end=ONSET + timedelta(days=3),
    ongoing=False,
    grade=2,
    serious=False,
    criteria=dict.fromkeys(AdverseEvent.SERIOUSNESS_CRITERIA, False),
    outcome="RECOVERED/RESOLVED",
    consent_date=date(2026, 3, 28),
)


def fields(facts):
    return [p.field for p in rules.adverse_event_problems(facts)]


def test_a_consistent_event_passes():
    assert fields(FACTS) == []


def test_end_date_not_before_onset():
    assert fields(replace(FACTS, end=ONSET - timedelta(days=1))) == ["aeendtc"]


def test_onset_not_before_consent():
    assert fields(replace(FACTS, onset=date(2026, 3, 27), end=date(2026, 3, 30))) == ["aestdtc"]


def test_serious_needs_a_criterion_and_a_criterion_makes_it_serious():
    assert fields(replace(FACTS, serious=True)) == ["aeser"]
    hospital = FACTS.criteria | {"aeshosp": True}
    assert fields(replace(FACTS, criteria=hospital)) == ["aeser"]
    assert fields(replace(FACTS, serious=True, criteria=hospital)) == []


def test_grade_5_needs_the_death_criterion_and_a_fatal_outcome():
    death = FACTS.criteria | {"aesdth": True}
    assert "aesdth" in fields(replace(FACTS, grade=5, serious=True, outcome="FATAL"))
    assert "aeout" in fields(replace(FACTS, grade=5, serious=True, criteria=death))
    assert (
        fields(replace(FACTS, grade=5, serious=True, criteria=death, outcome="FATAL", end=None))
        == []
    )


def test_fatal_outcome_needs_grade_5():
    assert "aeout" in fields(replace(FACTS, outcome="FATAL"))


class TestDerived:
    DAY1 = date(2026, 4, 1)

    def derive(self, onset, last_dose=date(2026, 4, 5), **kw):
        values = {"serious": False, "relationship": "NOT RELATED", "expected": True} | kw
        return rules.adverse_event_derived(
            onset=onset, day1=self.DAY1, last_dose_given=last_dose, **values
        )

    def test_study_day_and_treatment_emergence(self):
        assert self.derive(date(2026, 4, 1)).onset_study_day == 1
        assert self.derive(date(2026, 4, 1)).treatment_emergent
        before = self.derive(date(2026, 3, 31))
        assert (before.onset_study_day, before.treatment_emergent) == (0, False)

    def test_safety_window_ends_30_days_after_the_last_dose_given_inclusive(self):
        # dosing stopped early on day 5 (2026-04-05): the window closes on 2026-05-05
        assert self.derive(date(2026, 5, 5)).in_safety_window
        assert not self.derive(date(2026, 5, 6)).in_safety_window
        assert not self.derive(date(2026, 3, 31)).in_safety_window
        assert not self.derive(date(2026, 4, 2), last_dose=None).in_safety_window

    @pytest.mark.parametrize(
        ("relationship", "related"),
        [
            ("NOT RELATED", False),
            ("UNLIKELY RELATED", False),
            ("POSSIBLY RELATED", True),
            ("PROBABLY RELATED", True),
            ("DEFINITELY RELATED", True),
        ],
    )
    def test_related_means_possible_probable_or_definite(self, relationship, related):
        assert self.derive(self.DAY1, relationship=relationship).related is related

    def test_susar_candidate_is_serious_related_and_unexpected(self):
        susar = {"serious": True, "relationship": "PROBABLY RELATED", "expected": False}
        assert self.derive(self.DAY1, **susar).susar_candidate
        assert not self.derive(self.DAY1, **(susar | {"expected": True})).susar_candidate
        assert not self.derive(self.DAY1, **(susar | {"serious": False})).susar_candidate
        assert not self.derive(
            self.DAY1, **(susar | {"relationship": "UNLIKELY RELATED"})
        ).susar_candidate


def test_the_full_ctcae_list_is_loaded_with_its_socs(db):
    from safety.ctcae import ctcae_load

    if not CtcaeTerm.objects.exists():  # a transactional test before may have flushed it
        ctcae_load(CtcaeTerm)
    assert CtcaeTerm.objects.count() == 837
    assert CtcaeTerm.objects.get(meddra_code=10011224).soc == (
        "Respiratory, thoracic and mediastinal disorders"
    )
    assert CtcaeTerm.objects.values("soc").distinct().count() == 26


def test_a_screen_failure_can_have_no_adverse_event(site, coordinator):
    failed = open_screening(site=site, user=coordinator)
    complete_checklist(failed, coordinator, exclusion_3=True)
    assert not hasattr(failed, "subject")
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEvent.objects.create(
            subject=None,
            aeterm="Cough",
            aestdtc=ONSET,
            aetoxgr=1,
            aerel="NOT RELATED",
            aeacn="NOT APPLICABLE",
            aeout="RECOVERED/RESOLVED",
            recorded_by=coordinator,
        )


@pytest.fixture
def dosed_subject(subject, coordinator):
    """Doses given on days 1-5 only (stopped early)."""
    for day in range(1, 6):
        dose_record(
            dose=DoseAdministration(
                subject=subject,
                study_day=day,
                date=subject.day1 + timedelta(days=day - 1),
                status="completed",
                start_time=time(9),
                stop_time=time(9, 20),
                volume_ml=5,
            ),
            user=coordinator,
        )
    return subject


AE_FORM = {
    "aeterm": "Cough",
    "aetoxgr": "2",
    "aerel": "POSSIBLY RELATED",
    "aeacn": "DOSE NOT CHANGED",
    "aeout": "RECOVERING/RESOLVING",
    "ongoing": "on",
}


def test_coordinator_records_an_ae_and_sees_its_derived_flags(coordinator_client, dosed_subject):
    onset = dosed_subject.day1 + timedelta(days=2)
    response = coordinator_client.post(
        reverse("safety:adverse_event_create", args=[dosed_subject.pk]),
        AE_FORM | {"aestdtc": onset.isoformat()},
    )
    ae = AdverseEvent.objects.get()
    assert response["Location"] == reverse("safety:adverse_event_detail", args=[ae.pk])
    derived = coordinator_client.get(response["Location"]).context["derived"]
    assert (
        derived.onset_study_day,
        derived.treatment_emergent,
        derived.in_safety_window,
        derived.related,
    ) == (3, True, True, True)


def test_ae_form_refusals_are_next_to_the_fields(coordinator_client, subject):
    response = coordinator_client.post(
        reverse("safety:adverse_event_create", args=[subject.pk]),
        AE_FORM
        | {
            "aestdtc": subject.day1.isoformat(),
            "aeser": "on",
            "ongoing": "",
            "aeendtc": (subject.day1 - timedelta(days=1)).isoformat(),
        },
    )
    errors = response.context["form"].errors
    assert "seriousness criterion" in errors["aeser"][0]
    assert "before the onset" in errors["aeendtc"][0]
    assert not AdverseEvent.objects.exists()


def test_follow_ups_give_worst_grade_and_current_outcome(coordinator_client, subject, coordinator):
    ae = adverse_events.adverse_event_record(
        ae=AdverseEvent(
            subject=subject,
            aeterm="Fever",
            aestdtc=subject.day1,
            aetoxgr=1,
            ongoing=True,
            aerel="UNLIKELY RELATED",
            aeacn="DOSE NOT CHANGED",
            aeout="NOT RECOVERED/NOT RESOLVED",
        ),
        user=coordinator,
    )
    url = reverse("safety:adverse_event_follow_up", args=[ae.pk])
    coordinator_client.post(
        url,
        {"assessed_on": subject.day1.isoformat(), "aetoxgr": "3", "aeout": "RECOVERING/RESOLVING"},
    )
    coordinator_client.post(
        url,
        {
            "assessed_on": (subject.day1 + timedelta(days=2)).isoformat(),
            "aetoxgr": "1",
            "aeout": "RECOVERED/RESOLVED",
            "aeendtc": (subject.day1 + timedelta(days=2)).isoformat(),
        },
    )
    assert AdverseEventFollowUp.objects.count() == 2
    page = coordinator_client.get(reverse("safety:adverse_event_detail", args=[ae.pk])).context
    assert page["state"].worst_grade == 3
    assert page["current_outcome"] == "Recovered"


def test_follow_up_before_onset_is_refused(subject, coordinator):
    ae = adverse_events.adverse_event_record(
        ae=AdverseEvent(
            subject=subject,
            aeterm="Rash",
            aestdtc=subject.day1,
            aetoxgr=1,
            ongoing=True,
            aerel="NOT RELATED",
            aeacn="DOSE NOT CHANGED",
            aeout="NOT RECOVERED/NOT RESOLVED",
        ),
        user=coordinator,
    )
    with pytest.raises(ValidationError, match="precede the onset"):
        adverse_events.adverse_event_follow_up(
            follow_up=AdverseEventFollowUp(
                adverse_event=ae,
                assessed_on=subject.day1 - timedelta(days=1),
                aetoxgr=1,
                aeout="UNKNOWN",
            ),
            user=coordinator,
        )


def test_monitor_reads_but_cannot_record(monitor_client, subject):
    assert (
        monitor_client.get(reverse("safety:subject_adverse_events", args=[subject.pk])).status_code
        == 200
    )
    response = monitor_client.post(
        reverse("safety:adverse_event_create", args=[subject.pk]),
        AE_FORM | {"aestdtc": subject.day1.isoformat()},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("n", [5, 50])
def test_ae_list_runs_a_constant_number_of_queries(
    n, coordinator_client, dosed_subject, coordinator, django_assert_max_num_queries
):
    for i in range(n):
        adverse_events.adverse_event_record(
            ae=AdverseEvent(
                subject=dosed_subject,
                aeterm=f"Cough {i}",
                aestdtc=dosed_subject.day1,
                aetoxgr=1,
                ongoing=True,
                aerel="NOT RELATED",
                aeacn="DOSE NOT CHANGED",
                aeout="NOT RECOVERED/NOT RESOLVED",
            ),
            user=coordinator,
        )
    # the page's own (session, user, permissions...), the AEs, their follow-ups and serious
    # periods (one query each, whatever n)
    with django_assert_max_num_queries(13):
        response = coordinator_client.get(reverse("safety:adverse_event_list"))
    assert len(response.context["rows"]) == n


def test_follow_up_with_fatal_outcome_needs_grade_5(subject, coordinator):
    ae = adverse_events.adverse_event_record(
        ae=AdverseEvent(
            subject=subject,
            aeterm="Respiratory failure",
            aestdtc=subject.day1,
            aetoxgr=4,
            ongoing=True,
            aerel="NOT RELATED",
            aeacn="DOSE NOT CHANGED",
            aeout="NOT RECOVERED/NOT RESOLVED",
        ),
        user=coordinator,
    )
    with pytest.raises(ValidationError, match="fatal outcome goes with grade 5"):
        adverse_events.adverse_event_follow_up(
            follow_up=AdverseEventFollowUp(
                adverse_event=ae, assessed_on=subject.day1, aetoxgr=4, aeout="FATAL"
            ),
            user=coordinator,
        )
