"""Every page × every role gets the status it should. New pages join PAGES."""

import pytest
from django.urls import reverse

from trial_edc.accounts.roles import Role

COORD, INV, MON, DM = Role.SITE_COORDINATOR, Role.INVESTIGATOR, Role.MONITOR, Role.DATA_MANAGER
ALL = {COORD: 200, INV: 200, MON: 200, DM: 200}
DATA_MANAGER_ONLY = {COORD: 403, INV: 403, MON: 403, DM: 200}
# CRF pages: coordinators and investigators enter data; monitors and data managers read only
CRF_WRITE = {COORD: 200, INV: 200, MON: 403, DM: 403}
INVESTIGATOR_ONLY = {COORD: 403, INV: 200, MON: 403, DM: 403}
DOWNLOADS = {COORD: 403, INV: 200, MON: 200, DM: 200}


def visit_page(name: str, code: str = "DAY14"):
    return lambda f: reverse(name, args=[f["subject"].pk, code])


def _lab_signal(subject):
    """An open laboratory AE proposal of the subject (as the system writes it)."""
    from safety.models import LabSignal

    return LabSignal.objects.create(
        subject=subject, test_code="ALT", specimen_on=subject.day1, grade=3, explanation="x"
    )


# (name, url builder taking the fixtures dict, expected status per role)
PAGES = [
    ("portal:home", lambda f: reverse("portal:home"), ALL),
    ("password change", lambda f: reverse("accounts:password_change"), ALL),
    ("site list", lambda f: reverse("accounts:site_list"), ALL),
    ("site create", lambda f: reverse("accounts:site_create"), DATA_MANAGER_ONLY),
    ("site edit", lambda f: reverse("accounts:site_edit", args=[f["site"].pk]), DATA_MANAGER_ONLY),
    (
        "site audit trail",
        lambda f: reverse("portal:record_audit", args=["accounts", "site", f["site"].pk]),
        ALL,
    ),
    ("user list", lambda f: reverse("accounts:user_list"), DATA_MANAGER_ONLY),
    ("user create", lambda f: reverse("accounts:user_create"), DATA_MANAGER_ONLY),
    (
        "user access",
        lambda f: reverse("accounts:user_access", args=[f["users"][COORD].pk]),
        DATA_MANAGER_ONLY,
    ),
    ("access log", lambda f: reverse("accounts:access_log"), DATA_MANAGER_ONLY),
    # the language switcher: everyone's own choice, a POST only (tests/i18n/test_language.py)
    (
        "language switcher",
        lambda f: reverse("accounts:language_set"),
        {COORD: 405, INV: 405, MON: 405, DM: 405},
    ),
    # the read API (issue 15): everyone's own tokens and the API documentation
    ("api tokens", lambda f: reverse("api:tokens"), ALL),
    ("api docs", lambda f: reverse("api:docs"), ALL),
    # enrollment
    ("screening log", lambda f: reverse("enrollment:screening_log"), ALL),
    ("screening create", lambda f: reverse("enrollment:screening_create"), CRF_WRITE),
    (
        "screening detail",
        lambda f: reverse("enrollment:screening_detail", args=[f["screening"].pk]),
        ALL,
    ),
    (
        "screening edit",
        lambda f: reverse("enrollment:screening_edit", args=[f["screening"].pk]),
        CRF_WRITE,
    ),
    (
        "checklist",
        lambda f: reverse("enrollment:checklist_edit", args=[f["screening"].pk]),
        CRF_WRITE,
    ),
    ("consent", lambda f: reverse("enrollment:consent_edit", args=[f["screening"].pk]), CRF_WRITE),
    # the baseline CRFs of screening
    (
        "demographics",
        lambda f: reverse("enrollment:demographics_edit", args=[f["screening"].pk]),
        CRF_WRITE,
    ),
    (
        "medical history",
        lambda f: reverse("enrollment:medical_history", args=[f["screening"].pk]),
        ALL,
    ),
    (
        "medical history form",
        lambda f: reverse("enrollment:medical_history_create", args=[f["screening"].pk]),
        CRF_WRITE,
    ),
    (
        "disease history",
        lambda f: reverse("enrollment:disease_history_edit", args=[f["screening"].pk]),
        CRF_WRITE,
    ),
    ("enrol", lambda f: reverse("enrollment:enroll", args=[f["screening"].pk]), INVESTIGATOR_ONLY),
    (
        "screening withdraw",
        lambda f: reverse("enrollment:screening_withdraw", args=[f["screening"].pk]),
        CRF_WRITE,
    ),
    (
        "screening audit trail",
        lambda f: reverse(
            "portal:record_audit", args=["enrollment", "screening", f["screening"].pk]
        ),
        ALL,
    ),
    ("subject list", lambda f: reverse("enrollment:subject_list"), ALL),
    (
        "subject dashboard",
        lambda f: reverse("portal:subject_dashboard", args=[f["subject"].pk]),
        ALL,
    ),
    ("subject end", lambda f: reverse("enrollment:subject_end", args=[f["subject"].pk]), CRF_WRITE),
    ("enrolment summary", lambda f: reverse("enrollment:consort"), ALL),
    # treatment and daily monitoring
    ("treatment day", lambda f: reverse("portal:treatment_day", args=[f["subject"].pk, 1]), ALL),
    ("dose form", lambda f: reverse("dosing:dose_edit", args=[f["subject"].pk, 1]), CRF_WRITE),
    ("missing doses", lambda f: reverse("dosing:missing_doses"), ALL),
    ("conmed list", lambda f: reverse("dosing:conmed_list", args=[f["subject"].pk]), ALL),
    ("conmed form", lambda f: reverse("dosing:conmed_create", args=[f["subject"].pk]), CRF_WRITE),
    (
        "prior treatment",
        lambda f: reverse("dosing:prior_treatment", args=[f["subject"].pk]),
        ALL,
    ),
    (
        "prior treatment form",
        lambda f: reverse("dosing:prior_treatment_create", args=[f["subject"].pk]),
        CRF_WRITE,
    ),
    ("vitals form", lambda f: reverse("safety:vitals_create", args=[f["subject"].pk]), CRF_WRITE),
    (
        "blood gas form",
        lambda f: reverse("efficacy:blood_gas_create", args=[f["subject"].pk]),
        CRF_WRITE,
    ),
    # adverse events
    ("AE list", lambda f: reverse("safety:adverse_event_list"), ALL),
    (
        "subject AEs",
        lambda f: reverse("safety:subject_adverse_events", args=[f["subject"].pk]),
        ALL,
    ),
    (
        "AE form",
        lambda f: reverse("safety:adverse_event_create", args=[f["subject"].pk]),
        CRF_WRITE,
    ),
    ("open SAEs", lambda f: reverse("safety:open_saes"), ALL),
    ("to-sign queue", lambda f: reverse("safety:to_sign"), INVESTIGATOR_ONLY),
    ("safety listings", lambda f: reverse("safety:safety_listings"), DOWNLOADS),
    # safety laboratory
    (
        "safety lab form",
        lambda f: reverse("safety:lab_panel_create", args=[f["subject"].pk]),
        CRF_WRITE,
    ),
    ("subject safety labs", lambda f: reverse("safety:subject_labs", args=[f["subject"].pk]), ALL),
    ("lab reference ranges", lambda f: reverse("safety:lab_ranges"), ALL),
    ("lab reference range form", lambda f: reverse("safety:lab_range_create"), DATA_MANAGER_ONLY),
    ("lab AE proposals", lambda f: reverse("safety:lab_signals"), ALL),
    (
        "lab proposal: not an AE",
        lambda f: reverse("safety:lab_signal_not_ae", args=[_lab_signal(f["subject"]).pk]),
        INVESTIGATOR_ONLY,
    ),
    ("safety lab listing", lambda f: reverse("safety:lab_listing"), DOWNLOADS),
    # efficacy and follow-up
    ("visit", visit_page("efficacy:visit_detail"), ALL),
    ("visit date", visit_page("efficacy:visit_date_edit"), CRF_WRITE),
    ("visit oxygenation", visit_page("efficacy:visit_blood_gas"), CRF_WRITE),
    ("PFT form", visit_page("efficacy:pft_edit"), CRF_WRITE),
    ("lab form", visit_page("efficacy:lab_panel_edit"), CRF_WRITE),
    ("HRCT form", visit_page("efficacy:hrct_edit"), CRF_WRITE),
    ("follow-up form", visit_page("efficacy:follow_up_edit", "MONTH3"), CRF_WRITE),
    ("efficacy summary", lambda f: reverse("efficacy:efficacy_summary"), ALL),
    ("efficacy CSV", lambda f: reverse("efficacy:efficacy_summary_csv"), DOWNLOADS),
    ("efficacy PDF", lambda f: reverse("efficacy:efficacy_summary_pdf"), DOWNLOADS),
    ("table 1", lambda f: reverse("efficacy:table_one"), ALL),
    ("table 1 CSV", lambda f: reverse("efficacy:table_one_csv"), DOWNLOADS),
    ("deviations", lambda f: reverse("enrollment:visit_deviations"), ALL),
    # notifications
    ("my notifications", lambda f: reverse("notifications:my_notifications"), ALL),
    ("notification preferences", lambda f: reverse("notifications:notification_preferences"), ALL),
    ("outbox", lambda f: reverse("notifications:notification_outbox"), DATA_MANAGER_ONLY),
    # data management: queries, the subject matrix, SDV and the casebook are read by every
    # role of the site; locks are the data managers'
    ("query list", lambda f: reverse("datamanagement:query_list"), ALL),
    (
        "subject records (queries)",
        lambda f: reverse("datamanagement:subject_records", args=[f["subject"].pk]),
        ALL,
    ),
    ("subject matrix", lambda f: reverse("datamanagement:subject_matrix"), ALL),
    ("SDV overview", lambda f: reverse("datamanagement:sdv_overview"), ALL),
    ("casebook", lambda f: reverse("datamanagement:casebook", args=[f["subject"].pk]), ALL),
    ("lock console", lambda f: reverse("datamanagement:lock_console"), DATA_MANAGER_ONLY),
    ("database lock", lambda f: reverse("datamanagement:database_lock"), DATA_MANAGER_ONLY),
    # data out (issue 15): monitors, investigators and data managers export their sites' data
    ("exports", lambda f: reverse("datamanagement:export_list"), DOWNLOADS),
    (
        "export download (someone else's)",
        lambda f: reverse("datamanagement:export_download", args=[_ready_export(f["site"]).pk]),
        {COORD: 403, INV: 404, MON: 404, DM: 200},
    ),
    (
        "casebook PDF request",
        lambda f: reverse("datamanagement:casebook_export", args=[f["subject"].pk]),
        DOWNLOADS,
    ),
]

CASES = [
    pytest.param(name, build, role, status, id=f"{name}-{role.value}")
    for name, build, expected in PAGES
    for role, status in expected.items()
]


@pytest.fixture
def page_objects(site, role_users):
    from portal.demo.enrollment import enrolled_subject, open_screening

    users = role_users
    return {
        "site": site,
        "users": users,
        "screening": open_screening(site=site, user=users[COORD]),
        "subject": enrolled_subject(site=site, coordinator=users[COORD], investigator=users[INV]),
    }


def _ready_export(site):
    """A ready export asked for by another monitor of the site (made by the worker)."""
    from datamanagement.exports.runner import export_run
    from datamanagement.exports.services import export_request
    from tests.factories import user_with_role

    asker = user_with_role(role=MON, sites=[site], username="export-owner")
    job = export_request(user=asker, kind="csv", dispatch=False)
    return export_run(job.pk)


@pytest.mark.parametrize(("name", "build", "role", "status"), CASES)
def test_role_gets_expected_status(name, build, role, status, page_objects, role_users, client_for):
    url = build(page_objects)
    response = client_for(role_users[role]).get(url)
    assert response.status_code == status, f"{role.label} on {name}: {response.status_code}"
    # issue 19: a shared ward computer keeps no signed-in page (nor any refusal) in its cache
    assert "no-store" in response.get("Cache-Control", ""), f"{name} may be cached"


@pytest.mark.parametrize(("name", "build"), [(n, b) for n, b, _ in PAGES])
def test_anonymous_is_sent_to_login(name, build, client, page_objects):
    response = client.get(build(page_objects))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_user_without_role_sees_no_study_pages(make_user, site, client_for):
    nobody = make_user(None, [site], username="norole")
    c = client_for(nobody)
    assert c.get(reverse("portal:home")).status_code == 200
    assert c.get(reverse("accounts:access_log")).status_code == 403
    assert c.get(reverse("accounts:site_list")).status_code == 403


def test_navigation_shows_each_role_only_its_pages(coordinator_client, data_manager_client):
    coordinator_home = coordinator_client.get(reverse("portal:home")).content.decode()
    manager_home = data_manager_client.get(reverse("portal:home")).content.decode()
    assert reverse("accounts:access_log") not in coordinator_home
    assert reverse("accounts:user_list") not in coordinator_home
    assert reverse("accounts:access_log") in manager_home
    assert reverse("accounts:user_list") in manager_home
