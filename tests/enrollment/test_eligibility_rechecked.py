"""Issue 12, point 7: every eligibility rule runs again on every change of the screening,
the checklist or the consent, whichever was entered first, and again at enrolment; a
correction of an enrolled subject that makes them ineligible is a protocol deviation."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrollment import services
from enrollment.models import EligibilityChecklist, EligibilityDeviation, Screening, Subject
from portal.demo.enrollment import (
    answers_all_met,
    complete_checklist,
    eligible_screening,
    enrolled_subject,
    evidence_supporting,
    open_screening,
    record_consent,
)


def _correct(screening, user, reason="Correction from the source record", **values):
    screening = Screening.objects.get(pk=screening.pk)
    for name, value in values.items():
        setattr(screening, name, value)
    deviation = services.screening_update(screening=screening, user=user, reason=reason)
    screening.refresh_from_db()
    return screening, deviation


def _form(values: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


class TestConsentBeforeEveryProcedureWhateverWasEnteredFirst:
    def _woman_consented_first(self, site, coordinator):
        screening = open_screening(
            site=site, user=coordinator, sex="F", childbearing_potential=True
        )
        record_consent(screening, coordinator)
        return screening

    def test_checklist_with_a_pregnancy_test_before_the_recorded_consent_is_refused(
        self, site, coordinator
    ):
        screening = self._woman_consented_first(site, coordinator)
        with pytest.raises(ValidationError) as refused:
            complete_checklist(
                screening,
                coordinator,
                pregnancy_test_date=screening.screening_date - timedelta(days=1),
                pregnancy_test_result="NEG",
            )
        assert "cannot precede consent" in refused.value.message_dict["pregnancy_test_date"][0]
        assert not EligibilityChecklist.objects.exists()

    def test_the_checklist_form_says_so_next_to_the_pregnancy_test_date(
        self, coordinator_client, site, coordinator
    ):
        screening = self._woman_consented_first(site, coordinator)
        data = answers_all_met() | evidence_supporting(
            screening.screening_date,
            pregnancy_test_date=screening.screening_date - timedelta(days=1),
            pregnancy_test_result="NEG",
        )
        response = coordinator_client.post(
            reverse("enrollment:checklist_edit", args=[screening.pk]), _form(data)
        )
        errors = response.context["form"].errors
        assert "cannot precede consent" in errors["pregnancy_test_date"][0]
        assert not EligibilityChecklist.objects.exists()

    def test_a_pregnancy_test_on_the_day_of_consent_is_accepted(self, site, coordinator):
        screening = self._woman_consented_first(site, coordinator)
        complete_checklist(
            screening,
            coordinator,
            pregnancy_test_date=screening.screening_date,
            pregnancy_test_result="NEG",
        )
        screening.refresh_from_db()
        assert screening.status == Screening.Status.ELIGIBLE


class TestScreeningCorrections:
    def test_woman_of_childbearing_potential_without_pregnancy_test_is_no_longer_eligible(
        self, site, coordinator
    ):
        screening = eligible_screening(site=site, user=coordinator)
        screening, _ = _correct(screening, coordinator, sex="F", childbearing_potential=True)
        assert screening.status == Screening.Status.IN_SCREENING
        problems = [p.message for p in services.screening_problems(screening)]
        assert "A woman of child-bearing potential needs a pregnancy test result." in problems

    def test_screening_date_moved_before_the_onset_takes_eligibility_away(self, site, coordinator):
        screening = eligible_screening(site=site, user=coordinator)
        onset = screening.checklist.symptom_onset_date
        screening, _ = _correct(screening, coordinator, screening_date=onset - timedelta(days=1))
        assert screening.status == Screening.Status.IN_SCREENING
        fields = {p.field for p in services.screening_problems(screening)}
        assert {"symptom_onset_date", "signed_at"} <= fields  # onset, and consent's window

    def test_screening_date_moved_after_the_consent_takes_eligibility_away(self, site, coordinator):
        screening = eligible_screening(
            site=site, user=coordinator, screening_date=date.today() - timedelta(days=3)
        )
        screening, _ = _correct(
            screening, coordinator, screening_date=screening.screening_date + timedelta(days=1)
        )
        assert screening.status == Screening.Status.IN_SCREENING
        assert "screening window" in str(services.screening_problems(screening))

    def test_a_screening_date_in_the_future_is_refused(self, site, coordinator):
        screening = open_screening(site=site, user=coordinator)
        with pytest.raises(ValidationError) as refused:
            _correct(screening, coordinator, screening_date=date.today() + timedelta(days=3))
        assert "screening_date" in refused.value.message_dict
        with pytest.raises(ValidationError):
            open_screening(
                site=site, user=coordinator, screening_date=date.today() + timedelta(days=3)
            )

    def test_a_man_of_childbearing_potential_is_refused_by_the_service_too(self, site, coordinator):
        screening = open_screening(site=site, user=coordinator, sex="F")
        with pytest.raises(ValidationError) as refused:
            _correct(screening, coordinator, sex="M", childbearing_potential=True)
        assert "childbearing_potential" in refused.value.message_dict


def test_onset_confirmation_is_cleared_when_the_onset_date_changes(site, coordinator, investigator):
    screening = open_screening(site=site, user=coordinator)
    record_consent(screening, coordinator)
    old_onset = screening.screening_date - timedelta(days=120)
    checklist = complete_checklist(
        screening,
        investigator,
        symptom_onset_date=old_onset,
        onset_confirmed_by_investigator=True,
    )
    screening.refresh_from_db()
    assert screening.status == Screening.Status.ELIGIBLE
    checklist = EligibilityChecklist.objects.get(pk=checklist.pk)
    checklist.symptom_onset_date = old_onset - timedelta(days=30)
    services.checklist_save(checklist=checklist, user=coordinator, reason="Onset per clinic note")
    checklist.refresh_from_db()
    assert checklist.onset_confirmed_by_investigator is False
    assert checklist.onset_confirmed_by is None
    screening.refresh_from_db()
    assert screening.status == Screening.Status.IN_SCREENING
    # the investigator confirms the new date
    checklist.onset_confirmed_by_investigator = True
    services.checklist_save(checklist=checklist, user=investigator, reason="Confirmed again")
    screening.refresh_from_db()
    assert (screening.status, checklist.onset_confirmed_by) == (
        Screening.Status.ELIGIBLE,
        investigator,
    )


def test_enrolment_runs_every_rule_again_whatever_the_saved_status_says(
    site, coordinator, investigator
):
    screening = eligible_screening(site=site, user=coordinator)
    # a path that skipped the services (a script, a raw correction)
    Screening.objects.filter(pk=screening.pk).update(sex="F", childbearing_potential=True)
    with pytest.raises(ValidationError, match="pregnancy test"):
        services.subject_enroll(
            screening=Screening.objects.get(pk=screening.pk),
            investigator=investigator,
            first_dose_date=screening.screening_date + timedelta(days=1),
            enrolled_on=screening.screening_date,
        )
    assert not Subject.objects.exists()


class TestEnrolledSubjectCorrections:
    def test_a_correction_that_makes_the_subject_ineligible_is_a_protocol_deviation(
        self, site, coordinator, investigator
    ):
        subject = enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
        screening, deviation = _correct(
            subject.screening, coordinator, "Typo in birth year", date_of_birth=date(1940, 1, 1)
        )
        assert screening.status == Screening.Status.ENROLLED  # enrolled stays enrolled
        subject.refresh_from_db()
        assert subject.status == Subject.Status.ON_STUDY
        assert deviation is not None and deviation.reviewed_at is None
        assert [p["code"] for p in deviation.problems] == ["date_of_birth"]
        assert deviation.correction_reason == "Typo in birth year"
        assert deviation.found_by == coordinator
        event = deviation.events.get()
        assert event.pgh_context["reason"] == "protocol deviation: eligibility"
        # the same correction saved again flags nothing new while it is open
        _correct(screening, coordinator, "Initials", initials="LWX")
        assert EligibilityDeviation.objects.count() == 1
        # another failure is another deviation
        _correct(screening, coordinator, "Sex", sex="F", childbearing_potential=True)
        assert EligibilityDeviation.objects.count() == 2

    def test_a_correction_that_keeps_eligibility_flags_nothing(
        self, site, coordinator, investigator
    ):
        subject = enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
        _, deviation = _correct(subject.screening, coordinator, date_of_birth=date(1976, 6, 15))
        assert deviation is None
        assert not EligibilityDeviation.objects.exists()

    def test_only_an_investigator_reviews_the_deviation(self, site, coordinator, investigator):
        subject = enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
        _, deviation = _correct(
            subject.screening, coordinator, sex="F", childbearing_potential=True
        )
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.eligibility_deviation_review(deviation=deviation, user=coordinator, note="x")
        with pytest.raises(ValidationError):
            services.eligibility_deviation_review(deviation=deviation, user=investigator, note=" ")
        services.eligibility_deviation_review(
            deviation=deviation, user=investigator, note="Test done on day 1: negative."
        )
        deviation.refresh_from_db()
        assert deviation.reviewed_by == investigator

    def test_the_deviation_shows_on_the_screening_and_subject_pages_until_reviewed(
        self, coordinator_client, investigator_client, site, coordinator, investigator
    ):
        subject = enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)
        screening = subject.screening
        edit = reverse("enrollment:screening_edit", args=[screening.pk])
        detail = reverse("enrollment:screening_detail", args=[screening.pk])
        dashboard = reverse("portal:subject_dashboard", args=[subject.pk])
        assert edit in coordinator_client.get(detail).content.decode()
        response = coordinator_client.post(
            edit,
            {
                "initials": screening.initials,
                "date_of_birth": "1940-01-01",
                "sex": screening.sex,
                "screening_date": screening.screening_date.isoformat(),
                "reason_for_change": "Typo in birth year",
            },
            follow=True,
        )
        assert "protocol deviation is flagged" in response.content.decode()
        deviation = EligibilityDeviation.objects.get()
        review = reverse(
            "enrollment:eligibility_deviation_review", args=[screening.pk, deviation.pk]
        )
        page = coordinator_client.get(detail).content.decode()
        assert 'data-testid="eligibility-deviation"' in page and review not in page
        assert (
            'data-testid="eligibility-deviation"'
            in coordinator_client.get(dashboard).content.decode()
        )
        assert coordinator_client.post(review, {"review_note": "x"}).status_code == 403
        assert review in investigator_client.get(detail).content.decode()
        response = investigator_client.post(review, {"review_note": "Subject is 86; sponsor told."})
        assert response.status_code == 302
        assert "Subject is 86; sponsor told." in investigator_client.get(detail).content.decode()
        assert (
            'data-testid="eligibility-deviation"'
            not in coordinator_client.get(dashboard).content.decode()
        )
