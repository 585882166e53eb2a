"""Issue 19, point 3: a site code is ASCII digits of the configured width (full-width digits
refused: Python's \\d and str.isdigit() accept them), unique, and does not change once
screenings are numbered with it — refused by the service and by the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from portal.demo.enrollment import open_screening
from trial_edc.accounts import rules, services
from trial_edc.accounts.models import Site
from trial_edc.study import study


def _create(client, code):
    return client.post(
        reverse("accounts:site_create"),
        {"code": code, "name": "Shenzhen", "time_zone": "Asia/Shanghai"},
    )


@pytest.mark.parametrize("code", ["１２", "０３", "3", "003", "0x", "٠٣"])
def test_site_code_other_than_two_ascii_digits_is_refused_next_to_the_field(
    data_manager_client, code
):
    response = _create(data_manager_client, code)
    assert response.status_code == 200
    assert "2 digits 0-9" in response.context["form"].errors["code"][0]
    assert not Site.objects.filter(name="Shenzhen").exists()


def test_width_comes_from_the_study_configuration():
    assert study().site_code_digits == 2
    assert rules.site_code_problems("03") == []
    assert rules.site_code_problems("１２") != []
    assert rules.site_code_problems("123") != []


def test_service_refuses_a_full_width_code(data_manager):
    with pytest.raises(ValidationError) as refused:
        services.site_create(actor=data_manager, code="１２", name="X", time_zone="Asia/Shanghai")
    assert "code" in refused.value.message_dict


def test_site_code_is_unique(data_manager_client, site):
    response = _create(data_manager_client, site.code)
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


def test_code_of_a_site_without_screenings_may_still_be_corrected(data_manager, site):
    site.code = "05"
    services.site_update(actor=data_manager, site=site, reason="typo")
    site.refresh_from_db()
    assert site.code == "05"


def test_code_in_use_is_refused_by_the_service_and_the_page(
    data_manager, data_manager_client, site, coordinator
):
    open_screening(site=site, user=coordinator)
    site.code = "05"
    with pytest.raises(ValidationError) as refused:
        services.site_update(actor=data_manager, site=site, reason="renumber")
    assert "code" in refused.value.message_dict
    response = data_manager_client.post(
        reverse("accounts:site_edit", args=[site.pk]),
        {
            "code": "05",
            "name": site.name,
            "time_zone": site.time_zone,
            "is_active": "on",
            "reason_for_change": "renumber",
        },
    )
    assert response.status_code == 200
    assert "no longer change" in response.context["form"].errors["code"][0]
    assert Site.objects.get(pk=site.pk).code == "01"


def test_database_refuses_a_code_in_use_changed_by_sql(site, coordinator):
    open_screening(site=site, user=coordinator)
    with (
        pytest.raises(DatabaseError) as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_site SET code = '05' WHERE id = %s", [site.pk])
    assert rules.site_code_changed_in_use(refused.value)


def test_database_refuses_full_width_digits_written_by_sql(site):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_site SET code = '１２' WHERE id = %s", [site.pk])
