"""The account forms of issue 13 (authenticator code, enrolment, temporary password, the
signature's username and password), fed plausible and hostile values by hypothesis as in
tests/test_forms_property.py: no response is a server error, and a form that refuses says so
next to a field. (A refused code or password does write: the access log and the lockout count
record it, so the "a refusal writes nothing" half of that test does not apply here.)"""

from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import SiteFactory, force_login_verified, user_with_role
from tests.test_forms_property import FORM_SETTINGS, OMIT, field_values
from trial_edc.accounts.roles import Role, roles_sync
from trial_edc.core.clock import site_today

# form name -> (url of the page, who fills it in, logged in how, a POST it accepts or checks)
FORMS = {
    "mfa_verify": (lambda t: reverse("accounts:mfa_verify"), "investigator", "password", {}),
    "mfa_enrol": (lambda t: reverse("accounts:mfa_enrol"), "newcomer", "password", {}),
    "password_reset": (
        lambda t: reverse("accounts:user_password_reset", args=[t.coordinator.pk]),
        "data_manager",
        "verified",
        {"password": "temporary-passphrase-55"},
    ),
    "signature": (lambda t: reverse("safety:to_sign"), "investigator", "verified", {}),
    "password_change": (
        lambda t: reverse("accounts:password_change"),
        "coordinator",
        "verified",
        {},
    ),
}


class AccountFormsProperty(TestCase):
    @classmethod
    def setUpTestData(cls):
        roles_sync()
        cls.site = SiteFactory(code="01", name="Guangzhou", time_zone="Asia/Shanghai")
        cls.today = site_today(cls.site)
        cls.coordinator = user_with_role(
            role=Role.SITE_COORDINATOR, sites=[cls.site], username="coordinator"
        )
        cls.investigator = user_with_role(
            role=Role.INVESTIGATOR, sites=[cls.site], username="investigator"
        )
        cls.newcomer = user_with_role(
            role=Role.INVESTIGATOR, sites=[cls.site], username="newcomer", enrolled=False
        )
        cls.data_manager = user_with_role(
            role=Role.DATA_MANAGER, sites=[cls.site], username="datamanager"
        )

    def client_as(self, who: str, how: str) -> Client:
        user = getattr(self, who)
        if how == "verified":
            return force_login_verified(Client(), user)
        client = Client()  # signed in with the password only: the code step is next
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    def check(self, name: str, data) -> None:
        build, who, how, base = FORMS[name]
        client = self.client_as(who, how)
        url = build(self)
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        fields = dict(page.context["form"].fields)
        changed = data.draw(st.sets(st.sampled_from(sorted(fields)), min_size=1), label="fields")
        payload = {"csrfmiddlewaretoken": "token"} | base
        for field in sorted(changed):
            value = data.draw(field_values(fields[field], base.get(field), self.today), label=field)
            if value is OMIT:
                payload.pop(field, None)
            else:
                payload[field] = value
        response = client.post(url, payload)  # a view's exception fails here
        assert response.status_code in (200, 302, 429), response.status_code
        if response.status_code == 200 and "form" in (response.context or {}):
            form = response.context["form"]
            assert form.errors or name == "mfa_enrol", "the form came back without saying why"


def _property_test(name: str):
    @FORM_SETTINGS
    @given(data=st.data())
    def test(self, data):
        self.check(name, data)

    test.__name__ = f"test_{name}_never_a_server_error"
    return test


for _name in FORMS:
    _test = _property_test(_name)
    setattr(AccountFormsProperty, _test.__name__, _test)
