"""The baseline CRFs of screening: demographics (BMI derived), medical history (the exclusion
criteria's conditions first, partial dates) and the dermatomyositis and ILD history —
impossible values refused next to their field, with the limits from the configuration."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from enrollment.baseline import rules
from enrollment.models import Demographics, DiseaseHistory, MedicalHistory
from trial_edc.accounts.roles import Role
from trial_edc.study import study

TODAY = date(2026, 11, 30)


# --- the rules, over plain values ---------------------------------------------------------


def test_bmi_is_weight_over_height_squared_to_one_decimal():
    assert rules.bmi(D("170"), D("65")) == D("22.5")  # 22.49
    assert rules.bmi(D("160"), D("56")) == D("21.9")  # 21.875


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("2015", (2015,)),
        ("2015-03", (2015, 3)),
        ("2015-03-09", (2015, 3, 9)),
        ("2015-13", None),
        ("2015-02-30", None),
        ("15-03-2015", None),
        ("1899", None),
        ("", None),
    ],
)
def test_a_medical_history_date_may_be_partial(text, parts):
    assert rules.partial_date(text) == parts


def _history(**overrides):
    values = {
        "condition": "TUBERCULOSIS",
        "term": "",
        "start": "2015-03",
        "end": "2015-11",
        "ongoing": False,
        "today": TODAY,
        "born": date(1975, 6, 15),
    } | overrides
    return {(p.field, p.message) for p in rules.history_problems(**values)}


def test_history_dates_not_in_the_future_nor_before_birth_and_end_after_start():
    assert _history() == set()
    assert _history(start="2015") == set()  # the year alone is enough
    assert {f for f, _ in _history(start="2027", end="")} == {"mhstdtc"}
    assert {f for f, _ in _history(start="1970-02")} == {"mhstdtc"}
    assert {f for f, _ in _history(start="2015-11", end="2015-03")} == {"mhendtc"}
    assert {f for f, _ in _history(ongoing=True)} == {"mhendtc"}
    # the same month at a different precision is not "before"
    assert _history(start="2015-11-20", end="2015-11") == set()


def test_other_needs_its_term():
    assert {f for f, _ in _history(condition="OTHER")} == {"mhterm"}
    assert _history(condition="OTHER", term="Hypertension") == set()


def test_the_pick_list_offers_the_exclusion_criteria_conditions_first():
    choices = [c for c, _ in MedicalHistory._meta.get_field("condition").choices]
    configured = [c.code for c in study().baseline.history_conditions]
    assert choices == [*configured, "OTHER"]
    assert "PULMONARY_EMBOLISM" in configured and "TUBERCULOSIS" in configured


def _disease(**overrides):
    values = {
        "dm_on": date(2026, 8, 1),
        "ild_on": date(2026, 10, 1),
        "born": date(1975, 6, 15),
        "latest": date(2026, 11, 20),
        "ck": D("312"),
        "ck_unit": "U/L",
    } | overrides
    return {p.field for p in rules.disease_history_problems(**values)}


def test_diagnoses_after_birth_and_not_after_screening_or_consent():
    assert _disease() == set()
    assert _disease(dm_on=date(2026, 11, 21)) == {"dm_diagnosed_on"}
    assert _disease(ild_on=date(1970, 1, 1)) == {"ild_diagnosed_on"}


def test_ck_needs_its_unit_and_is_plausible_in_the_study_unit():
    assert _disease(ck_unit="") == {"ck_unit"}
    assert _disease(ck=None, ck_unit="U/L") == {"ck_at_diagnosis"}
    assert _disease(ck=D("3000"), ck_unit="µkat/L") == set()  # 180 000 U/L: possible
    assert _disease(ck=D("5000"), ck_unit="µkat/L") == {"ck_at_diagnosis"}  # 300 000 U/L


# --- the pages ----------------------------------------------------------------------------


@pytest.fixture
def screening(subject_on_day_6):
    return subject_on_day_6.screening


def _errors(response, field) -> list[str]:
    assert response.status_code == 200, "the form was not refused"
    return response.context["form"].errors.get(field, [])


def _demographics(**overrides):
    return {"ethnic": "NOT HISPANIC OR LATINO", "height": "170", "weight": "65"} | {
        "suncf": "NEVER",
        **overrides,
    }


def test_height_and_weight_outside_the_configured_limits_are_refused_next_to_the_field(
    coordinator_client, screening
):
    url = reverse("enrollment:demographics_edit", args=[screening.pk])
    limits = study().baseline
    response = coordinator_client.post(url, _demographics(height="300", weight="10"))
    assert f"between {limits.height_plausible.low} and {limits.height_plausible.high} cm" in (
        " ".join(_errors(response, "height"))
    )
    assert _errors(response, "weight")
    assert not Demographics.objects.exists()


def test_demographics_saved_with_bmi_derived(coordinator_client, screening):
    url = reverse("enrollment:demographics_edit", args=[screening.pk])
    assert coordinator_client.post(url, _demographics()).status_code == 302
    saved = Demographics.objects.get(screening=screening)
    assert saved.bmi == D("22.5")
    detail = coordinator_client.get(reverse("enrollment:screening_detail", args=[screening.pk]))
    assert "BMI 22.5" in detail.content.decode()


def _disease_post(screening, **overrides):
    return {
        "dm_diagnosed_on": (screening.screening_date - timedelta(days=90)).isoformat(),
        "ild_diagnosed_on": (screening.screening_date - timedelta(days=40)).isoformat(),
        "gottron": "Y",
        "heliotrope": "N",
        "mechanics_hands": "U",
        "skin_ulcers": "N",
        "muscle_weakness": "Y",
        "ck_at_diagnosis": "312",
        "ck_unit": "U/L",
    } | overrides


def test_a_diagnosis_after_consent_is_refused_next_to_its_date(coordinator_client, screening):
    url = reverse("enrollment:disease_history_edit", args=[screening.pk])
    after = (screening.screening_date + timedelta(days=1)).isoformat()  # consent: screening day
    response = coordinator_client.post(url, _disease_post(screening, ild_diagnosed_on=after))
    assert "on or before" in " ".join(_errors(response, "ild_diagnosed_on"))
    future = (date.today() + timedelta(days=30)).isoformat()
    response = coordinator_client.post(url, _disease_post(screening, dm_diagnosed_on=future))
    assert _errors(response, "dm_diagnosed_on")
    assert not DiseaseHistory.objects.exists()


def test_impossible_ck_is_refused_with_the_configured_limits(coordinator_client, screening):
    url = reverse("enrollment:disease_history_edit", args=[screening.pk])
    response = coordinator_client.post(
        url, _disease_post(screening, ck_at_diagnosis="5000", ck_unit="µkat/L")
    )
    plausible = study().lab("CK").plausible
    assert f"between {plausible.low} and {plausible.high} U/L" in " ".join(
        _errors(response, "ck_at_diagnosis")
    )
    assert coordinator_client.post(url, _disease_post(screening)).status_code == 302
    assert DiseaseHistory.objects.get(screening=screening).ck_at_diagnosis == D("312")


def test_a_picked_condition_records_its_term_and_a_bad_date_is_refused(
    coordinator_client, screening
):
    url = reverse("enrollment:medical_history_create", args=[screening.pk])
    response = coordinator_client.post(
        url, {"condition": "PULMONARY_EMBOLISM", "mhstdtc": "2019-13"}
    )
    assert _errors(response, "mhstdtc")
    post = {"condition": "PULMONARY_EMBOLISM", "mhstdtc": "2019", "mhendtc": "2019-06"}
    assert coordinator_client.post(url, post).status_code == 302
    entry = MedicalHistory.objects.get(screening=screening)
    assert (entry.mhterm, entry.mhpresp) == ("Pulmonary embolism", True)
    listing = coordinator_client.get(reverse("enrollment:medical_history", args=[screening.pk]))
    assert "Pulmonary embolism" in listing.content.decode()


def test_an_edit_needs_a_reason_for_change(coordinator_client, screening):
    url = reverse("enrollment:demographics_edit", args=[screening.pk])
    coordinator_client.post(url, _demographics())
    response = coordinator_client.post(url, _demographics(weight="64"))
    assert _errors(response, "reason_for_change")
    reason = {"reason_for_change": "Weighed again"}
    assert coordinator_client.post(url, _demographics(weight="64") | reason).status_code == 302
    assert Demographics.objects.get(screening=screening).bmi == D("22.1")


def test_another_sites_staff_cannot_open_the_forms(make_user, other_site, client_for, screening):
    stranger = client_for(make_user(Role.SITE_COORDINATOR, [other_site], username="elsewhere"))
    for name in ("demographics_edit", "disease_history_edit", "medical_history"):
        assert stranger.get(reverse(f"enrollment:{name}", args=[screening.pk])).status_code == 404
