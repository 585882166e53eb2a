from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "trial_edc.accounts"
    label = "accounts"
    verbose_name = _("Users, roles and sites")

    def ready(self):
        from trial_edc.accounts import access_log, roles

        access_log.connect()
        # Roles get the permissions of models added by any migration.
        post_migrate.connect(roles.roles_sync_after_migrate)
