import factory
import pghistory

from trial_edc.accounts.models import Site, SiteMembership, User
from trial_edc.accounts.roles import role_group

DEMO_TEST_PASSWORD = "correct-horse-battery-42"


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


def user_with_role(*, role=None, sites=(), **kwargs) -> User:
    """A user with a role (group) and memberships of `sites`."""
    user = UserFactory(**kwargs)
    if role:
        user.groups.add(role_group(role))
    with pghistory.context(reason="test set-up"):
        for site in sites:
            SiteMembership.objects.get_or_create(user=user, site=site)
    return user
