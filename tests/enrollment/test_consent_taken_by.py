"""Issue 19, point 2: consent is taken by the site's coordinators and investigators only:
the choice list offers no one else, and the service refuses anyone else however it is
called."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrollment import services
from enrollment.models import Consent
from trial_edc.accounts.roles import Role
from trial_edc.core.clock import site_moment


def _consent_url(screening):
    return reverse("enrollment:consent_edit", args=[screening.pk])


def _data(screening, taken_by):
    return {
        "version": "2.1",
        "signed_at": f"{screening.screening_date.isoformat()}T09:00",
        "taken_by": taken_by.pk,
    }


def test_choice_list_offers_only_the_sites_coordinators_and_investigators(
    coordinator_client,
    screening,
    coordinator,
    investigator,
    monitor,
    data_manager,
    make_user,
    other_site,
):
    elsewhere = make_user(Role.INVESTIGATOR, [other_site], username="elsewhere")
    offered = set(
        coordinator_client.get(_consent_url(screening)).context["form"].fields["taken_by"].queryset
    )
    assert offered == {coordinator, investigator}
    assert not {monitor, data_manager, elsewhere} & offered


def test_form_refuses_the_monitor_next_to_the_field(coordinator_client, screening, monitor):
    response = coordinator_client.post(_consent_url(screening), _data(screening, monitor))
    assert response.status_code == 200
    assert "taken_by" in response.context["form"].errors
    assert not Consent.objects.exists()


@pytest.mark.parametrize("role_user", ["monitor", "data_manager"])
def test_service_refuses_consent_taken_by_a_monitor_or_data_manager(
    request, screening, coordinator, role_user
):
    taker = request.getfixturevalue(role_user)
    consent = Consent(
        screening=screening,
        version="2.1",
        signed_at=site_moment(screening.screening_date, time(9, 0), screening.site),
        taken_by=taker,
    )
    with pytest.raises(ValidationError) as refused:
        services.consent_save(consent=consent, user=coordinator)
    assert "taken_by" in refused.value.message_dict
    assert not Consent.objects.exists()


def test_service_refuses_an_investigator_of_another_site(
    screening, coordinator, make_user, other_site
):
    elsewhere = make_user(Role.INVESTIGATOR, [other_site], username="elsewhere")
    consent = Consent(
        screening=screening,
        version="2.1",
        signed_at=site_moment(screening.screening_date, time(9, 0), screening.site),
        taken_by=elsewhere,
    )
    with pytest.raises(ValidationError):
        services.consent_save(consent=consent, user=coordinator)


def test_consent_taken_by_the_investigator_is_saved(coordinator_client, screening, investigator):
    response = coordinator_client.post(_consent_url(screening), _data(screening, investigator))
    assert response.status_code == 302
    assert Consent.objects.get().taken_by == investigator
