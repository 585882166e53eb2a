"""Daily vital signs as a coordinator enters them from the treatment day."""

from django.urls import reverse

from safety.models import VitalSigns
from trial_edc.core.clock import study_day_date

VITALS = {
    "temp": "36.9",
    "hr": "88",
    "resp": "18",
    "sysbp": "118",
    "diabp": "72",
    "oxysat": "95",
    "oxygen_support": "ROOM_AIR",
    "fio2": "0.21",
}


def _new(subject, day=1):
    return reverse("safety:vitals_create", args=[subject.pk]) + f"?day={day}"


def _at(subject, day=1, hour="08:30"):
    return f"{study_day_date(subject.day1, day).isoformat()}T{hour}"


def test_form_is_prefilled_with_the_day_and_returns_to_it(coordinator_client, subject):
    form = coordinator_client.get(_new(subject, 2)).context["form"]
    assert form.initial["measured_at"].date() == study_day_date(subject.day1, 2)
    response = coordinator_client.post(_new(subject, 2), VITALS | {"measured_at": _at(subject, 2)})
    assert response["Location"] == reverse("portal:treatment_day", args=[subject.pk, 2])
    assert VitalSigns.objects.get().study_day == 2


def test_impossible_spo2_is_refused_next_to_the_field(coordinator_client, subject):
    response = coordinator_client.post(
        _new(subject), VITALS | {"oxysat": "101", "measured_at": _at(subject)}
    )
    assert "SpO2" in response.context["form"].errors["oxysat"][0]
    assert not VitalSigns.objects.exists()


def test_systolic_not_above_diastolic_is_refused(coordinator_client, subject):
    response = coordinator_client.post(
        _new(subject), VITALS | {"sysbp": "70", "diabp": "80", "measured_at": _at(subject)}
    )
    assert "below the systolic" in response.context["form"].errors["diabp"][0]


def test_out_of_range_values_are_saved_and_flagged_on_the_subject_pages(
    coordinator_client, subject
):
    coordinator_client.post(
        _new(subject), VITALS | {"oxysat": "88", "hr": "121", "measured_at": _at(subject)}
    )
    vitals = VitalSigns.objects.get()
    assert vitals.flags == {"hr": "high", "oxysat": "low"}
    for url in (
        reverse("portal:subject_dashboard", args=[subject.pk]),
        reverse("portal:treatment_day", args=[subject.pk, 1]),
    ):
        html = coordinator_client.get(url).content.decode()
        assert '<span class="vital-flag" title="low">88↓</span>' in html
        assert '<span class="vital-flag" title="high">121↑</span>' in html


def test_missing_vitals_days_are_shown(coordinator_client, subject):
    coordinator_client.post(_new(subject), VITALS | {"measured_at": _at(subject, 1)})
    html = coordinator_client.get(
        reverse("portal:subject_dashboard", args=[subject.pk])
    ).content.decode()
    assert "No vital signs on treatment day" in html
    response = coordinator_client.get(reverse("portal:subject_dashboard", args=[subject.pk]))
    assert "day/5/" in response.content.decode()


def test_edit_needs_a_reason_and_the_audit_trail_shows_old_and_new(coordinator_client, subject):
    coordinator_client.post(_new(subject), VITALS | {"measured_at": _at(subject)})
    vitals = VitalSigns.objects.get()
    url = reverse("safety:vitals_edit", args=[subject.pk, vitals.pk])
    data = VITALS | {"measured_at": _at(subject), "hr": "92"}
    assert "reason_for_change" in coordinator_client.post(url, data).context["form"].errors
    coordinator_client.post(url, data | {"reason_for_change": "Transcription error"})
    page = coordinator_client.get(
        reverse("portal:record_audit", args=["safety", "vitalsigns", vitals.pk])
    )
    change = page.context["history"][-1]
    assert change.reason == "Transcription error"
    assert [(c.label, c.old, c.new) for c in change.changes] == [
        ("heart rate (beats/min)", "88", "92")
    ]


def test_monitor_cannot_post_vitals(monitor_client, subject):
    response = monitor_client.post(_new(subject), VITALS | {"measured_at": _at(subject)})
    assert response.status_code == 403


def test_vitals_and_blood_gas_of_another_site_are_404(coordinator_client, make_user, other_site):
    from efficacy.models import BloodGas
    from portal.demo.enrollment import enrolled_subject
    from trial_edc.accounts.roles import Role

    far_coord = make_user(Role.SITE_COORDINATOR, [other_site], username="c2")
    far = enrolled_subject(
        site=other_site,
        coordinator=far_coord,
        investigator=make_user(Role.INVESTIGATOR, [other_site], username="i2"),
    )
    vitals = VitalSigns.objects.create(
        subject=far, measured_at=far.enrolled_at, study_day=1, recorded_by=far_coord
    )
    gas = BloodGas.objects.create(
        subject=far,
        sampled_at=far.enrolled_at,
        study_day=1,
        pao2=60,
        fio2="0.4",
        pf_ratio=150,
        oxygen_support="HFNC",
        recorded_by=far_coord,
    )
    for url in (
        reverse("safety:vitals_edit", args=[far.pk, vitals.pk]),
        reverse("efficacy:blood_gas_edit", args=[far.pk, gas.pk]),
        reverse("portal:record_audit", args=["safety", "vitalsigns", vitals.pk]),
        reverse("portal:record_audit", args=["efficacy", "bloodgas", gas.pk]),
    ):
        assert coordinator_client.get(url).status_code == 404, url
    assert (
        coordinator_client.post(
            reverse("safety:vitals_create", args=[far.pk]), VITALS | {"measured_at": _at(far)}
        ).status_code
        == 404
    )
