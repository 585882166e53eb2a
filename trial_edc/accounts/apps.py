from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "trial_edc.accounts"
    label = "accounts"
    verbose_name = _("Users, roles and sites")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from trial_edc.accounts import access_log, middleware, roles

        access_log.connect()
        user_logged_in.connect(middleware.session_clock_start, dispatch_uid="session_clock")
        # Roles get the permissions of models added by any migration.
        post_migrate.connect(roles.roles_sync_after_migrate)
