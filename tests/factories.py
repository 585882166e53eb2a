import factory
import pghistory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trial_edc.accounts.models import Site, SiteMembership, User
from trial_edc.accounts.roles import MFA_ROLES, role_group

DEMO_TEST_PASSWORD = "correct-horse-battery-42"
# the authenticator key of every test investigator and data manager (hex, 20 bytes)
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n + 10:02d}")
    name = factory.Faker("city")
    time_zone = "Asia/Shanghai"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", DEMO_TEST_PASSWORD)

    @factory.post_generation
    def _saved(obj, create, extracted, **kwargs):
        obj.save()


def user_with_role(*, role=None, sites=(), enrolled: bool = True, **kwargs) -> User:
    """A user with a role (group) and memberships of `sites`; investigators and data managers
    have an authenticator app enrolled (TEST_TOTP_KEY) unless `enrolled=False`."""
    user = UserFactory(**kwargs)
    if role:
        user.groups.add(role_group(role))
    if role in MFA_ROLES and enrolled:
        totp_device_enrol(user)
    with pghistory.context(reason="test set-up"):
        for site in sites:
            SiteMembership.objects.get_or_create(user=user, site=site)
    return user


def totp_device_enrol(user, key: str = TEST_TOTP_KEY) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True)


def totp_code(user) -> str:
    """The code the user's authenticator app shows now. A TOTP code is accepted once: a test
    signing the same user in twice within 30 s forgets the last one first."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):0{device.digits}d}"


def force_login_verified(client, user):
    """client.force_login, and the second factor passed (for tests that skip the pages)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
