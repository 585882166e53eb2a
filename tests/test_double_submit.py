"""Issue 12, points 10 and 11, beyond the per-form tests of test_forms_property: a screen
failure is re-screened once, the site form saved unchanged writes nothing, a refused form
keeps its one-time key for the corrected POST, and two POSTs of one form sent at the same
time save once (the second waits on the key, then lands on the first one's record)."""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from enrollment import services as enrollment_services
from enrollment.models import Screening
from portal.demo.enrollment import complete_checklist, open_screening
from safety.models import VitalSigns
from safety.services import vitals as vitals_services
from trial_edc.accounts.models import Site
from trial_edc.audit.models import Submission
from trial_edc.core.clock import site_today
from trial_edc.core.forms import SUBMISSION_FIELD

ALREADY_SAVED = "This form was already saved: here is the saved record."
KEY = re.compile(rf'name="{SUBMISSION_FIELD}" value="([0-9a-f]{{32}})"')


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def screen_failure(site, coordinator):
    failed = open_screening(site=site, user=coordinator)
    complete_checklist(failed, coordinator, exclusion_3=True)
    failed.refresh_from_db()
    assert failed.status == Screening.Status.SCREEN_FAILURE
    return failed


def test_a_screen_failure_re_screened_twice_lands_on_its_one_re_screening(
    coordinator_client, screen_failure
):
    url = reverse("enrollment:rescreen", args=[screen_failure.pk])
    first = coordinator_client.post(url)
    again = Screening.objects.get(rescreen_of=screen_failure)
    assert first.url == reverse("enrollment:screening_detail", args=[again.pk])
    second = coordinator_client.post(url)
    assert (second.status_code, second.url) == (302, first.url)
    assert Screening.objects.filter(rescreen_of=screen_failure).count() == 1
    landed = coordinator_client.get(second.url)
    assert landed.status_code == 200 and ALREADY_SAVED in _messages(landed)


def test_the_service_refuses_a_second_re_screening_of_one_failure(
    site, coordinator, screen_failure
):
    values = {
        "user": coordinator,
        "site": site,
        "initials": screen_failure.initials,
        "date_of_birth": screen_failure.date_of_birth,
        "sex": screen_failure.sex,
        "childbearing_potential": screen_failure.childbearing_potential,
        "screening_date": site_today(site),
        "rescreen_of": screen_failure,
    }
    enrollment_services.screening_open(**values)
    with pytest.raises(ValidationError, match="re-screened only once"):
        enrollment_services.screening_open(**values)


def test_the_site_form_saved_unchanged_with_a_reason_writes_no_history(data_manager_client, site):
    history = site.events.count()
    response = data_manager_client.post(
        reverse("accounts:site_edit", args=[site.pk]),
        {
            "code": site.code,
            "name": site.name,
            "time_zone": site.time_zone,
            "language": site.language,
            "is_active": "on",
            "reason_for_change": "Checked",
        },
        follow=True,
    )
    assert response.redirect_chain and "Nothing changed." in _messages(response)
    assert site.events.count() == history
    assert Site.objects.get(pk=site.pk).name == site.name


def _vitals(subject, **overrides) -> dict:
    on = subject.day1 + timedelta(days=3)
    return {
        "measured_at": f"{on.isoformat()}T08:00",
        "temp": "36.8",
        "hr": "84",
        "resp": "18",
        "sysbp": "118",
        "diabp": "74",
        "oxysat": "95",
        "oxygen_support": "NASAL_CANNULA",
        "flow": "3",
        **overrides,
    }


def test_a_refused_form_keeps_its_key_for_the_corrected_post(coordinator_client, subject_on_day_6):
    url = reverse("safety:vitals_create", args=[subject_on_day_6.pk])
    key = KEY.search(coordinator_client.get(url).content.decode()).group(1)
    refused = coordinator_client.post(
        url, _vitals(subject_on_day_6, hr="fast") | {"submission": key}
    )
    assert refused.status_code == 200 and refused.context["form"].errors
    assert f'value="{key}"' in refused.content.decode()  # shown again with the same key
    assert not Submission.objects.exists() and not VitalSigns.objects.exists()
    saved = coordinator_client.post(url, _vitals(subject_on_day_6) | {"submission": key})
    assert saved.status_code == 302
    assert VitalSigns.objects.count() == 1
    assert Submission.objects.get(key=key).landing == saved.url


@pytest.mark.django_db(transaction=True)
def test_one_form_sent_twice_at_the_same_time_saves_once(
    subject_on_day_6, coordinator, monkeypatch
):
    record = vitals_services.vitals_record

    def slow_record(**kwargs):  # the first POST still saving when the second arrives
        saved = record(**kwargs)
        time.sleep(0.5)
        return saved

    monkeypatch.setattr(vitals_services, "vitals_record", slow_record)
    url = reverse("safety:vitals_create", args=[subject_on_day_6.pk])
    payload = _vitals(subject_on_day_6) | {"submission": "a" * 32}
    barrier = threading.Barrier(2)
    responses, errors = [], []

    def post():
        try:
            client = Client()
            client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
            barrier.wait()
            responses.append(client.post(url, payload))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].url == responses[1].url
    assert VitalSigns.objects.count() == 1
