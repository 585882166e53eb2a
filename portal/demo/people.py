"""The demo study: a site, one user per role, and (as features land) demo subjects."""

from base64 import b32decode

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from trial_edc.accounts.models import Site, SiteMembership, User
from trial_edc.accounts.roles import Role, role_group, roles_sync
from trial_edc.audit.services import audit_context

DEMO_PASSWORD = "trial-edc-demo-2026"  # noqa: S105 - printed on the console and in the README

# code, name, time zone, the language of its staff (a person may choose another)
DEMO_SITES = [
    ("01", "Guangzhou Institute of Respiratory Health", "Asia/Shanghai", "zh-hans"),
    ("02", "Demo second site (for site isolation)", "Europe/Amsterdam", "en"),
]
# site 01's staff read Chinese (their site's language); the sponsor's monitor English
DEMO_LANGUAGES = {"monitor": "en"}

# username, first name, last name, role, site codes
DEMO_USERS = [
    ("coordinator", "Chen", "Li", Role.SITE_COORDINATOR, ["01"]),
    ("investigator", "Wang", "Fang", Role.INVESTIGATOR, ["01"]),
    ("monitor", "Maria", "Jensen", Role.MONITOR, ["01", "02"]),
    ("datamanager", "Zhou", "Min", Role.DATA_MANAGER, ["01", "02"]),
    ("coordinator02", "Anna", "de Vries", Role.SITE_COORDINATOR, ["02"]),
    ("investigator02", "Pieter", "Bakker", Role.INVESTIGATOR, ["02"]),
]


# Demo investigators and the data manager sign in with a second factor. Their authenticator
# keys are fixed and public (README): add one to an authenticator app, or run
# `oathtool --totp -b SECRET` for the current code. A real account enrols its own.
DEMO_TOTP_SECRETS = {
    "investigator": "DEMOINVESTIGATORGUANGZHOUSITEAAA",
    "investigator02": "DEMOINVESTIGATORSECONDSITEAAAAAA",
    "datamanager": "DEMODATAMANAGERTRIALEDCAAAAAAAAA",
}


def demo_is_seeded() -> bool:
    return User.objects.filter(username="coordinator").exists()


@transaction.atomic
def demo_seed() -> list[tuple[str, str, str]]:
    """Create the demo sites and users; returns (username, role, sites) for the console."""
    roles_sync()
    with audit_context(user=None, reason="demo seed"):
        sites = {
            code: Site.objects.get_or_create(
                code=code, defaults={"name": name, "time_zone": tz, "language": language}
            )[0]
            for code, name, tz, language in DEMO_SITES
        }
        made = []
        for username, first, last, role, codes in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@trial-edc.local",
                    "language": DEMO_LANGUAGES.get(username, ""),
                },
            )
            if created:
                # the demo password is the demo user's own: no forced change
                user.set_password(DEMO_PASSWORD)
                user.save()
            secret = DEMO_TOTP_SECRETS.get(username)
            if secret and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                TOTPDevice.objects.create(
                    user=user, name="authenticator", key=b32decode(secret).hex(), confirmed=True
                )
            user.groups.add(role_group(role))
            for code in codes:
                SiteMembership.objects.get_or_create(user=user, site=sites[code])
            made.append((username, Role(role).label, ", ".join(codes)))
    return made
