from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "trial_edc.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from trial_edc.audit import context, grants

        # the audit context sent once per transaction, not before every statement
        context.install()

        # the owner grants the runtime role its rights on every table, new ones too
        post_migrate.connect(grants.grants_after_migrate, dispatch_uid="audit_grants")
