"""Issue 12.6 and 12.12 (safety): only CTCAE v5.0 grades that exist for the chosen term; no AE
end date or follow-up date in the future (the site's date)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safety import rules
from safety.models import AdverseEvent, AdverseEventFollowUp, CtcaeTerm
from safety.services import adverse_events
from trial_edc.core.clock import site_today

AE_FORM = {
    "aeterm": "Hair loss",
    "aetoxgr": "2",
    "aerel": "NOT RELATED",
    "aeacn": "DOSE NOT CHANGED",
    "aeout": "RECOVERING/RESOLVING",
    "ongoing": "on",
}


@pytest.fixture
def alopecia(db):
    return CtcaeTerm.objects.get(term="Alopecia")


def _alopecia_ae(subject, term, user, **values):
    base = {
        "subject": subject,
        "aeterm": "Hair loss",
        "ctcae_term": term,
        "aestdtc": subject.day1,
        "ongoing": True,
        "aetoxgr": 2,
        "aerel": "NOT RELATED",
        "aeacn": "DOSE NOT CHANGED",
        "aeout": "RECOVERING/RESOLVING",
    }
    return adverse_events.adverse_event_record(ae=AdverseEvent(**(base | values)), user=user)


def test_ctcae_defines_alopecia_grades_1_and_2_only(alopecia):
    definitions = alopecia.grade_definitions()
    assert [g for g, text in definitions.items() if text] == [1, 2]
    assert rules.ctcae_grade_problems(2, definitions) == []
    [problem] = rules.ctcae_grade_problems(4, definitions, "Alopecia")
    assert problem.field == "aetoxgr"
    assert "no grade 4 for Alopecia" in problem.message and "1, 2" in problem.message
    assert rules.ctcae_grade_problems(4, None) == []  # no term chosen: any grade


def test_an_ae_at_a_grade_its_term_does_not_have_is_refused_next_to_the_grade(
    coordinator_client, subject, coordinator, alopecia
):
    response = coordinator_client.post(
        reverse("safety:adverse_event_create", args=[subject.pk]),
        AE_FORM | {"ctcae_term": alopecia.pk, "aestdtc": subject.day1.isoformat(), "aetoxgr": "4"},
    )
    assert "no grade 4 for Alopecia" in response.context["form"].errors["aetoxgr"][0]
    with pytest.raises(ValidationError) as refused:
        _alopecia_ae(subject, alopecia, coordinator, aetoxgr=3)
    assert "aetoxgr" in refused.value.message_dict
    assert not AdverseEvent.objects.exists()


def test_a_follow_up_at_a_grade_its_term_does_not_have_is_refused(
    coordinator_client, subject, coordinator, alopecia
):
    ae = _alopecia_ae(subject, alopecia, coordinator)
    response = coordinator_client.post(
        reverse("safety:adverse_event_follow_up", args=[ae.pk]),
        {"assessed_on": subject.day1.isoformat(), "aetoxgr": "3", "aeout": "RECOVERING/RESOLVING"},
    )
    assert "no grade 3 for Alopecia" in response.context["form"].errors["aetoxgr"][0]
    with pytest.raises(ValidationError) as refused:
        adverse_events.adverse_event_follow_up(
            follow_up=AdverseEventFollowUp(
                adverse_event=ae,
                assessed_on=subject.day1,
                aetoxgr=4,
                aeout="RECOVERING/RESOLVING",
                aeser=False,
            ),
            user=coordinator,
        )
    assert "aetoxgr" in refused.value.message_dict
    assert not AdverseEventFollowUp.objects.exists()


def _refused_as_future(errors) -> bool:
    """The site's tomorrow is refused: by the form's bound (once it is tomorrow everywhere on
    Earth) or else by the rule of the site's own date; either way, said next to the field."""
    future = {"This cannot be in the future.", "This date cannot be in the future."}
    return bool(future & set(errors))


def test_an_ae_end_date_in_the_future_is_refused(coordinator_client, subject, coordinator):
    tomorrow = site_today(subject.site) + timedelta(days=1)
    response = coordinator_client.post(
        reverse("safety:adverse_event_create", args=[subject.pk]),
        AE_FORM | {"aestdtc": subject.day1.isoformat(), "ongoing": "", "aeendtc": tomorrow},
    )
    assert _refused_as_future(response.context["form"].errors["aeendtc"])
    with pytest.raises(ValidationError) as refused:
        _alopecia_ae(subject, None, coordinator, ongoing=False, aeendtc=tomorrow)
    assert "aeendtc" in refused.value.message_dict


@pytest.mark.parametrize("field", ["assessed_on", "aeendtc"])
def test_follow_up_dates_in_the_future_are_refused(coordinator_client, subject, coordinator, field):
    ae = _alopecia_ae(subject, None, coordinator)
    today = site_today(subject.site)
    data = {
        "assessed_on": today.isoformat(),
        "aetoxgr": "2",
        "aeout": "RECOVERED/RESOLVED",
        "aeendtc": today.isoformat(),
    } | {field: (today + timedelta(days=1)).isoformat()}
    response = coordinator_client.post(
        reverse("safety:adverse_event_follow_up", args=[ae.pk]), data
    )
    assert _refused_as_future(response.context["form"].errors[field])
    values = {"aetoxgr": 2, "aeout": "RECOVERED/RESOLVED", "assessed_on": today, "aeendtc": today}
    values[field] = today + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        adverse_events.adverse_event_follow_up(
            follow_up=AdverseEventFollowUp(adverse_event=ae, **values), user=coordinator
        )
    assert field in refused.value.message_dict
    assert not AdverseEventFollowUp.objects.exists()
