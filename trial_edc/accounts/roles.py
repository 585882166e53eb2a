"""The four roles of PROTOCOL.md as Django groups, and the permissions each one holds.

Permissions are derived from rules rather than listed one by one, so that a CRF model added
by a later migration joins the right roles: coordinators and investigators may view, add
and change every model of the CRF apps; monitors may only view them.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _

CRF_APPS = ("enrollment", "dosing", "safety", "efficacy")


class Role(models.TextChoices):
    SITE_COORDINATOR = "site_coordinator", _("Site coordinator")
    INVESTIGATOR = "investigator", _("Investigator")
    MONITOR = "monitor", _("Monitor")
    DATA_MANAGER = "data_manager", _("Data manager")


# Roles that sign (investigators) or lock and administer (data managers) need a second factor.
MFA_ROLES = frozenset({Role.INVESTIGATOR, Role.DATA_MANAGER})

# Group names are stored untranslated; the UI shows Role labels.
GROUP_NAMES: dict[str, str] = {
    Role.SITE_COORDINATOR: "Site coordinator",
    Role.INVESTIGATOR: "Investigator",
    Role.MONITOR: "Monitor",
    Role.DATA_MANAGER: "Data manager",
}

# Extra permissions by "app_label.codename", beyond the CRF rules below.
EXTRA_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.SITE_COORDINATOR: ("accounts.view_site",),
    Role.INVESTIGATOR: ("accounts.view_site",),
    Role.MONITOR: ("accounts.view_site",),
    Role.DATA_MANAGER: (
        "accounts.view_site",
        "accounts.add_site",
        "accounts.change_site",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_sitemembership",
        "accounts.view_accessevent",
        # the outbox of their sites, failures included; rows are written by the system only
        "notifications.view_notification",
        # --- data management: freeze and lock (issue 14) ---
        "datamanagement.view_datalock",
        "datamanagement.freeze_data",
        "datamanagement.unfreeze_data",
        "datamanagement.lock_data",
        "datamanagement.unlock_data",
        "datamanagement.lock_database",
        "datamanagement.view_lockcertificate",
    ),
}

# Data management, queries: monitors and data managers raise, close, re-open and cancel;
# coordinators and investigators of the site answer (issue 14, points 1, 2, 4).
_QUERY_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.SITE_COORDINATOR: ("datamanagement.view_query", "datamanagement.answer_query"),
    Role.INVESTIGATOR: ("datamanagement.view_query", "datamanagement.answer_query"),
    Role.MONITOR: ("datamanagement.view_query", "datamanagement.raise_query"),
    Role.DATA_MANAGER: ("datamanagement.view_query", "datamanagement.raise_query"),
}
EXTRA_PERMISSIONS = {
    role: (*labels, *_QUERY_PERMISSIONS[role]) for role, labels in EXTRA_PERMISSIONS.items()
}
# --- data management: source data verification and casebook sign-off (issue 14) ---------
# every role reads verification and sign-off; monitors verify, investigators sign
for _role, _labels in {
    Role.SITE_COORDINATOR: (),
    Role.INVESTIGATOR: ("datamanagement.sign_casebook",),
    Role.MONITOR: ("datamanagement.verify_source",),
    Role.DATA_MANAGER: (),
}.items():
    EXTRA_PERMISSIONS[_role] = (
        *EXTRA_PERMISSIONS[_role],
        "datamanagement.view_sourceverification",
        "datamanagement.view_casebooksignature",
        *_labels,
    )

# --- data out (issue 15): monitors, investigators and data managers export the data of the
# sites they see; identifying fields (initials, date of birth) go only to the site's own
# investigators and to monitors, who see the source at the site — a data manager's exports go
# to the statistician and the sponsor pseudonymised; data managers see every export's job
for _role, _labels in {
    Role.SITE_COORDINATOR: (),
    Role.INVESTIGATOR: (
        "datamanagement.view_exportjob",
        "datamanagement.request_export",
        "datamanagement.export_identifying",
    ),
    Role.MONITOR: (
        "datamanagement.view_exportjob",
        "datamanagement.request_export",
        "datamanagement.export_identifying",
    ),
    Role.DATA_MANAGER: (
        "datamanagement.view_exportjob",
        "datamanagement.request_export",
        "datamanagement.view_all_exports",
        "datamanagement.view_exportevent",
    ),
}.items():
    EXTRA_PERMISSIONS[_role] = (*EXTRA_PERMISSIONS[_role], *_labels)

# Codenames a role holds in the CRF apps even though the rules below exclude them.
CRF_EXTRA_CODENAMES: dict[str, tuple[str, ...]] = {
    Role.SITE_COORDINATOR: (),
    Role.INVESTIGATOR: (
        "confirm_eligibility",
        "enroll_subject",
        "sign_adverseevent",
        "report_sae",
        "download_listing",
        "decide_labsignal",  # a laboratory AE proposal: confirm as an AE, or not an AE
    ),
    Role.MONITOR: ("raise_query", "download_listing"),
    Role.DATA_MANAGER: (
        "lock_record",
        "download_listing",
        "export_data",
        # the sites' laboratory reference ranges (safety labs)
        "add_labreferencerange",
        "change_labreferencerange",
    ),
}

# Codenames that only the role listed above may hold, whatever the rules say.
RESTRICTED_CODENAMES = frozenset(
    codename for codenames in CRF_EXTRA_CODENAMES.values() for codename in codenames
)


# Records only services write (signatures, SAE clocks, generated reports, reference terms):
# every role may view them; nobody gets add/change through a role.
SYSTEM_MODELS = frozenset(
    {
        "adverseeventsignature",
        "seriousadverseeventreport",
        "safetyreport",
        "ctcaeterm",
        "labsignal",
    }
)


def _crf_rule(role: str, codename: str) -> bool:
    if codename in RESTRICTED_CODENAMES:
        return codename in CRF_EXTRA_CODENAMES[role]
    action, _, model = codename.partition("_")
    if model in SYSTEM_MODELS:
        return action == "view"
    if role in (Role.SITE_COORDINATOR, Role.INVESTIGATOR):
        return action in ("view", "add", "change")
    if role in (Role.MONITOR, Role.DATA_MANAGER):
        return action == "view"
    return False


def role_permissions(role: str, *, using: str = "default"):
    crf = (
        Permission.objects.using(using)
        .filter(content_type__app_label__in=CRF_APPS)
        .select_related("content_type")
    )
    chosen = [p for p in crf if _crf_rule(role, p.codename)]
    for label in EXTRA_PERMISSIONS[role]:
        app_label, codename = label.split(".")
        chosen.extend(
            Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            )
        )
    return chosen


def role_group(role: str, *, using: str = "default") -> Group:
    return Group.objects.using(using).get_or_create(name=GROUP_NAMES[role])[0]


def roles_sync(*, using: str = "default") -> None:
    """Create the role groups and give each exactly the permissions of its rules."""
    for role in Role:
        role_group(role, using=using).permissions.set(role_permissions(role, using=using))


def roles_sync_after_migrate(app_config, using: str = "default", **kwargs) -> None:
    from django.apps import apps

    # post_migrate comes once per app; permissions of every app exist after the last one.
    # `using`: the connection that migrated (the owner's) or flushed.
    if app_config is [a for a in apps.get_app_configs() if a.models_module][-1]:
        roles_sync(using=using)


def user_roles(user) -> list[Role]:
    # the session's copy (accounts.access), else from the database
    cached = getattr(user, "_trial_edc_roles", None)
    if cached is not None:
        return list(cached)
    names = {g.name for g in user.groups.all()}
    return [role for role in Role if GROUP_NAMES[role] in names]
