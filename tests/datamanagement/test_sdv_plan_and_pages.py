"""Targeted SDV (issue 14, point 6) and casebook sign-off (point 11): the plan names real
items, selects subjects deterministically; only monitors verify, only the site's investigators
sign; a value changed meanwhile is not verified; statuses derive from the items; constant
queries for a site."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from datamanagement.models import CasebookSignature, SourceVerification
from datamanagement.sdv import rules, selectors, services
from datamanagement.sdv.items import crf_info_by_label, crf_infos
from portal.demo.enrollment import enrolled_subject
from tests.factories import DEMO_TEST_PASSWORD
from trial_edc.audit.services import audit_context
from trial_edc.study import study


def test_the_plan_names_items_of_registered_crfs():
    labels = {i.label: i for i in crf_infos()}
    for critical in study().sdv.critical:
        assert critical.model in labels, critical.model
        missing = set(critical.fields) - set(labels[critical.model].items)
        assert not missing, (critical.model, missing)


def test_the_random_fraction_is_deterministic_and_about_the_configured_share():
    numbers = [f"01-{n:03d}" for n in range(1, 1001)]
    plan = study().sdv
    first = [
        rules.selected_for_full_sdv(seed=plan.seed, fraction=plan.full_fraction, subject_number=n)
        for n in numbers
    ]
    again = [
        rules.selected_for_full_sdv(seed=plan.seed, fraction=plan.full_fraction, subject_number=n)
        for n in numbers
    ]
    assert first == again
    assert 150 < sum(first) < 250
    other_seed = [
        rules.selected_for_full_sdv(seed="x", fraction=plan.full_fraction, subject_number=n)
        for n in numbers
    ]
    assert other_seed != first
    assert not any(
        rules.selected_for_full_sdv(seed="x", fraction=Decimal(0), subject_number=n)
        for n in numbers
    )
    assert all(
        rules.selected_for_full_sdv(seed="x", fraction=Decimal(1), subject_number=n)
        for n in numbers
    )


def test_counts_derive_the_status():
    assert rules.Counts().status == rules.NOT_REQUIRED
    assert rules.Counts(required=2, verified=2).status == rules.VERIFIED
    assert rules.Counts(required=2, verified=1).status == rules.TO_VERIFY
    assert rules.Counts(required=2, verified=1, changed=1).status == rules.CHANGED


def _consent(subject):
    return subject.screening.consent


def test_verify_a_form_then_refused_when_changed_meanwhile(monitor, subject_on_day_6):
    consent = _consent(subject_on_day_6)
    seen = selectors.latest_seq(consent)
    sdv = selectors.record_sdv(consent)
    assert sdv.counts.status == rules.TO_VERIFY
    n = services.record_verify(user=monitor, record=consent, seen_seq=seen)
    info = crf_info_by_label("enrollment.consent")
    assert n == len(info.items) == SourceVerification.objects.count()
    row = SourceVerification.objects.get(field="version")
    assert (row.verified_by, row.history_seq, row.subject_id) == (
        monitor,
        seen,
        subject_on_day_6.pk,
    )
    assert selectors.record_sdv(consent).counts.status == rules.VERIFIED
    # someone changes the consent after the monitor opened the page
    with audit_context(user=None, reason="correction"):
        type(consent).objects.filter(pk=consent.pk).update(version="v9")
    assert selectors.record_sdv(consent).counts.status == rules.CHANGED
    with pytest.raises(services.ChangedMeanwhile):
        services.record_verify(user=monitor, record=consent, seen_seq=seen)
    assert SourceVerification.objects.get(field="version").changed_at is not None
    services.record_verify(user=monitor, record=consent, seen_seq=selectors.latest_seq(consent))
    assert selectors.record_sdv(consent).counts.status == rules.VERIFIED


@pytest.mark.parametrize("role", ["coordinator", "investigator", "data_manager"])
def test_only_monitors_verify(role, request, subject_on_day_6):
    user = request.getfixturevalue(role)
    consent = _consent(subject_on_day_6)
    with pytest.raises(PermissionDenied):
        services.record_verify(user=user, record=consent, seen_seq=selectors.latest_seq(consent))


def test_a_monitor_of_another_site_cannot_verify(make_user, other_site, subject_on_day_6):
    stranger = make_user(role="monitor", sites=[other_site])
    consent = _consent(subject_on_day_6)
    with pytest.raises(PermissionDenied):
        services.record_verify(
            user=stranger, record=consent, seen_seq=selectors.latest_seq(consent)
        )


def _request():
    request = RequestFactory().post("/")
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return request


def test_investigator_signs_with_name_time_meaning(investigator, subject_on_day_6):
    signature = services.casebook_sign(
        subject=subject_on_day_6,
        signer=investigator,
        username=investigator.username,
        password=DEMO_TEST_PASSWORD,
        request=_request(),
    )
    assert signature.printed_name == investigator.printed_name
    assert signature.meaning == CasebookSignature.MEANING
    assert signature.voided_at is None
    with pytest.raises(Exception, match="already signed"):
        services.casebook_sign(
            subject=subject_on_day_6,
            signer=investigator,
            username=investigator.username,
            password=DEMO_TEST_PASSWORD,
            request=_request(),
        )


@pytest.mark.parametrize("role", ["coordinator", "monitor", "data_manager"])
def test_only_investigators_sign(role, request, subject_on_day_6):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.casebook_sign(
            subject=subject_on_day_6,
            signer=user,
            username=user.username,
            password=DEMO_TEST_PASSWORD,
            request=_request(),
        )


def test_an_investigator_of_another_site_cannot_sign(make_user, other_site, subject_on_day_6):
    stranger = make_user(role="investigator", sites=[other_site])
    with pytest.raises(PermissionDenied):
        services.casebook_sign(
            subject=subject_on_day_6,
            signer=stranger,
            username=stranger.username,
            password=DEMO_TEST_PASSWORD,
            request=_request(),
        )


def test_wrong_password_or_username_signs_nothing(investigator, subject_on_day_6):
    from trial_edc.accounts.signing import WrongPassword

    for username, password in ((investigator.username, "wrong"), ("someone", DEMO_TEST_PASSWORD)):
        with pytest.raises(WrongPassword):
            services.casebook_sign(
                subject=subject_on_day_6,
                signer=investigator,
                username=username,
                password=password,
                request=_request(),
            )
    assert not CasebookSignature.objects.exists()


def test_casebook_page_signs_and_shows_the_signature(
    investigator_client, investigator, subject_on_day_6
):
    url = reverse("datamanagement:casebook", args=[subject_on_day_6.pk])
    page = investigator_client.get(url)
    assert page.status_code == 200
    assert 'data-testid="casebook-sign-form"' in page.content.decode()
    bad = investigator_client.post(url, {"username": investigator.username, "password": "nope"})
    assert "password" in bad.context["form"].errors
    done = investigator_client.post(
        url, {"username": investigator.username, "password": DEMO_TEST_PASSWORD}
    )
    assert done.status_code == 302
    html = investigator_client.get(url).content.decode()
    assert 'data-testid="casebook-signed"' in html


def test_monitor_verifies_a_visit_from_the_casebook_page(
    monitor_client, subject_on_day_6, coordinator
):
    url = reverse("datamanagement:casebook", args=[subject_on_day_6.pk])
    page = monitor_client.get(url)
    assert page.status_code == 200
    group = next(g for g in page.context["groups"] if g.visit is not None)
    response = monitor_client.post(
        reverse("datamanagement:sdv_verify_visit", args=[group.visit.pk]), {"seen": group.seen}
    )
    assert response.status_code == 302
    assert SourceVerification.objects.filter(record_table="enrollment_subjectvisit").exists()
    # a stale page: the visit changed meanwhile
    with audit_context(user=None, reason="correction"):
        type(group.visit).objects.filter(pk=group.visit.pk).update(missed_reason="x")
    before = SourceVerification.objects.filter(changed_at__isnull=True).count()
    monitor_client.post(
        reverse("datamanagement:sdv_verify_visit", args=[group.visit.pk]), {"seen": group.seen}
    )
    assert SourceVerification.objects.filter(changed_at__isnull=True).count() == before


def test_casebook_of_another_site_is_a_404(make_user, other_site, client_for, subject_on_day_6):
    stranger = make_user(role="monitor", sites=[other_site])
    client = client_for(stranger)
    assert (
        client.get(reverse("datamanagement:casebook", args=[subject_on_day_6.pk])).status_code
        == 404
    )


def test_crf_page_shows_verification_and_the_verify_action(
    monitor_client, coordinator_client, subject_on_day_6
):
    from safety.models import VitalSigns
    from tests.safety.test_views import VITALS, _at, _new

    subject = subject_on_day_6
    coordinator_client.post(_new(subject), VITALS | {"measured_at": _at(subject)})
    vitals = VitalSigns.objects.get()
    edit = reverse("safety:vitals_edit", args=[subject.pk, vitals.pk])
    casebook = monitor_client.get(reverse("datamanagement:casebook", args=[subject.pk]))
    assert 'data-testid="sdv-verify-record"' in casebook.content.decode()
    seen = selectors.latest_seq(vitals)
    response = monitor_client.post(
        reverse("datamanagement:sdv_verify_record", args=["safety.vitalsigns", vitals.pk]),
        {"seen_seq": seen, "next": edit},
    )
    assert response.status_code == 302 and response.url == edit
    assert SourceVerification.objects.filter(
        record_id=vitals.pk, record_table="safety_vitalsigns"
    ).exists()
    coordinator_html = coordinator_client.get(edit).content.decode()
    assert 'data-testid="sdv-part"' in coordinator_html
    assert 'data-testid="sdv-verify-form"' not in coordinator_html


def test_site_selectors_take_constant_queries(
    site, coordinator, investigator, monitor, django_assert_max_num_queries
):
    def make(n):
        for _ in range(n):
            enrolled_subject(site=site, coordinator=coordinator, investigator=investigator)

    make(2)
    with django_assert_max_num_queries(len(crf_infos()) + 4) as few:
        selectors.subject_sdv(site=site)
    make(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        result = selectors.subject_sdv(site=site)
    assert len(result) == 8
    with django_assert_max_num_queries(3):
        assert len(selectors.casebooks_unsigned(site=site)) == 8
    with django_assert_max_num_queries(len(crf_infos()) + 4):
        blockers = selectors.critical_items_unverified(site=site)
    assert len(blockers) == 8 and all(url.startswith("/casebook/") for _t, url in blockers)


def test_overview_lists_subjects_of_the_users_sites(monitor_client, subject_on_day_6):
    html = monitor_client.get(reverse("datamanagement:sdv_overview")).content.decode()
    assert subject_on_day_6.subject_number in html


def test_dashboard_panel_and_home_task(investigator_client, subject_on_day_6):
    dashboard = investigator_client.get(
        reverse("portal:subject_dashboard", args=[subject_on_day_6.pk])
    )
    html = dashboard.content.decode()
    assert 'data-testid="sdv-panel"' in html
    assert reverse("datamanagement:casebook", args=[subject_on_day_6.pk]) in html
    home = investigator_client.get("/").content.decode()
    assert "Casebooks to sign" in home


def test_casebook_links_each_visit_form_to_its_page(
    coordinator_client, monitor_client, subject_on_day_6
):
    """The coordinator is taken to the form's page; the monitor, who may not enter data, to
    the visit's page, which shows it (issue 19, point 7)."""
    url = reverse("datamanagement:casebook", args=[subject_on_day_6.pk])
    for client, page_name in (
        (coordinator_client, "efficacy:visit_date_edit"),
        (monitor_client, "efficacy:visit_detail"),
    ):
        page = client.get(url)
        visits = [g for g in page.context["groups"] if g.visit is not None]
        screening, visit = visits[0], visits[1]
        record = next(r for r in visit.records if r.info.label == "enrollment.subjectvisit")
        assert record.url == reverse(page_name, args=[subject_on_day_6.pk, visit.visit.code])
        assert f'href="{record.url}"' in page.content.decode()
        assert client.get(record.url).status_code == 200
        # the screening visit's pages are the screening's
        assert screening.visit.code == "SCREENING"
        for rec in screening.records:
            assert rec.url == reverse(
                "enrollment:screening_detail", args=[subject_on_day_6.screening_id]
            )
