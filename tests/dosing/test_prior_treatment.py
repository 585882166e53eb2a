"""Prior treatment is entered once, on the con-med list: the baseline's prior-treatment page
shows the entries started before day 1 and adds to the same list."""

from datetime import timedelta

from django.urls import reverse

from dosing.models import ConcomitantMedication


def _post(subject, **overrides):
    return {
        "category": "ivig",
        "drug": "Human immunoglobulin",
        "indication": "Anti-MDA5 DM with RP-ILD",
        "dose": "20",
        "unit": "g",
        "route": "INTRAVENOUS",
        "frequency": "once daily for 5 days",
        "start_date": (subject.day1 - timedelta(days=30)).isoformat(),
        "stop_date": (subject.day1 - timedelta(days=26)).isoformat(),
    } | overrides


def test_a_prior_treatment_appears_on_the_conmed_list_once(coordinator_client, subject_on_day_6):
    subject = subject_on_day_6
    url = reverse("dosing:prior_treatment_create", args=[subject.pk])
    response = coordinator_client.post(url, _post(subject))
    assert response.status_code == 302
    assert response.url == reverse("dosing:prior_treatment", args=[subject.pk])
    assert ConcomitantMedication.objects.filter(subject=subject).count() == 1
    listing = coordinator_client.get(reverse("dosing:conmed_list", args=[subject.pk]))
    html = listing.content.decode()
    assert html.count("Human immunoglobulin") == 1
    assert 'data-testid="prior"' in html
    prior = coordinator_client.get(reverse("dosing:prior_treatment", args=[subject.pk]))
    assert prior.content.decode().count("Human immunoglobulin") == 1


def test_the_prior_treatment_page_shows_what_the_conmed_form_entered_before_day_1(
    coordinator_client, subject_on_day_6
):
    subject = subject_on_day_6
    coordinator_client.post(
        reverse("dosing:conmed_create", args=[subject.pk]),
        _post(subject, category="jak_inhibitor", drug="Tofacitinib", dose="5", unit="mg")
        | {"route": "ORAL", "stop_date": "", "ongoing": "on"},
    )
    coordinator_client.post(
        reverse("dosing:conmed_create", args=[subject.pk]),
        _post(subject, drug="Paracetamol", category="other", dose="500", unit="mg")
        | {"start_date": (subject.day1 + timedelta(days=2)).isoformat(), "stop_date": ""}
        | {"route": "ORAL", "ongoing": "on"},
    )
    prior = coordinator_client.get(reverse("dosing:prior_treatment", args=[subject.pk]))
    html = prior.content.decode()
    assert "Tofacitinib" in html and "Paracetamol" not in html  # started on study


def test_a_prior_treatment_started_on_day_1_or_later_is_refused_next_to_its_start(
    coordinator_client, subject_on_day_6
):
    subject = subject_on_day_6
    response = coordinator_client.post(
        reverse("dosing:prior_treatment_create", args=[subject.pk]),
        _post(subject, start_date=subject.day1.isoformat(), stop_date="") | {"ongoing": "on"},
    )
    assert response.status_code == 200
    assert "before day 1" in " ".join(response.context["form"].errors["start_date"])
    assert not ConcomitantMedication.objects.exists()
