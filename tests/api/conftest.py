"""The read API's fixtures: the demo study with data at both sites for every endpoint, and
personal tokens of site-01 users.

The demo puts its treatment, safety, efficacy and data-management data at site 01; two of its
subjects (with their screening, and their queries and verifications) are moved to site 02 here,
so that every endpoint has records of both sites. Seeded once for the module, each test
rolling back to it."""

import pytest
from django.db import transaction
from django.utils import timezone

from datamanagement.api import selectors
from datamanagement.api.services import api_token_create
from trial_edc.accounts.models import Site, SiteMembership, User
from trial_edc.accounts.roles import Role
from trial_edc.audit.services import audit_context

MOVED_TO_SITE_02 = ("01-002", "01-004")


def _seed() -> None:
    from datamanagement.models import Query, SourceVerification
    from datamanagement.sdv.selectors import latest_seq
    from datamanagement.sdv.services import record_verify
    from enrollment.models import Screening, Subject
    from portal.demo.baseline import baseline_demo_seed
    from portal.demo.datamanagement import datamanagement_demo_seed
    from portal.demo.efficacy import efficacy_demo_seed
    from portal.demo.enrollment import enrollment_demo_seed
    from portal.demo.labs import labs_demo_seed
    from portal.demo.people import demo_seed
    from portal.demo.treatment import treatment_demo_seed
    from safety.models import AdverseEvent, AdverseEventFollowUp, VitalSigns

    demo_seed()
    today = timezone.localdate()
    enrollment_demo_seed(today)
    treatment_demo_seed(today)
    baseline_demo_seed(today)
    efficacy_demo_seed(today)
    labs_demo_seed(today)
    datamanagement_demo_seed()
    monitor = User.objects.get(username="monitor")  # sites 01 and 02
    vitals = VitalSigns.objects.filter(subject__subject_number="01-002").order_by("pk").first()
    record_verify(user=monitor, record=vitals, seen_seq=latest_seq(vitals))
    with audit_context(user=None, reason="test: data at both sites"):
        for number in ("01-002", "01-003"):  # one follow-up at each site
            ae = AdverseEvent.objects.filter(subject__subject_number=number).first()
            AdverseEventFollowUp.objects.create(
                adverse_event=ae,
                assessed_on=ae.aestdtc,
                aetoxgr=ae.aetoxgr,
                aeout=ae.aeout,
                recorded_by=ae.recorded_by,
            )
        site_02 = Site.objects.get(code="02")
        moved = Subject.objects.filter(subject_number__in=MOVED_TO_SITE_02)
        Screening.objects.filter(subject__in=moved).update(site=site_02)
        moved.update(site=site_02)
        Query.objects.filter(subject__in=moved).update(site=site_02)
        SourceVerification.objects.filter(subject__in=moved).update(site=site_02)


@pytest.fixture(scope="module")
def both_sites(django_db_setup, django_db_blocker):
    """The seeded study, once for the module (rolled back at its end)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            _seed()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def study_data(both_sites, db):
    return None


def site_01_user(role: str, username: str) -> User:
    """A user of `role` at site 01 only (the demo's monitor and data manager have both)."""
    from tests.factories import user_with_role

    user = user_with_role(role=role, sites=[Site.objects.get(code="01")], username=username)
    assert not SiteMembership.objects.filter(user=user, site__code="02").exists()
    return user


def make_token(user, name: str = "statistician's script", days: int = 90) -> str:
    """A token made as the page makes it (after the authenticator step)."""
    user.is_verified = lambda: True
    return api_token_create(user=user, name=name, days=days)[1]


@pytest.fixture
def site_01_tokens(study_data):
    """A token for a site-01 user of each role."""
    return {
        role: make_token(site_01_user(role, f"api_{role}"), name=f"{role} token") for role in Role
    }


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def url_conf_endpoints() -> list[str]:
    """Every endpoint of the API's URL conf (a new one is covered with no change here)."""
    from datamanagement.api.urls import router

    return [prefix for prefix, _viewset, _basename in router.registry]


def endpoint_of(path: str) -> selectors.Endpoint:
    return next(e for e in selectors.endpoints() if e.path == path)
