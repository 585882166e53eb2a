from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DataManagementConfig(AppConfig):
    name = "datamanagement"
    verbose_name = _("Data management")

    def ready(self):

        from datamanagement import registry
        from datamanagement.locks.triggers import install_after_migrate
        from datamanagement.sdv.triggers import triggers_after_migrate

        registry.register()
        # the triggers on every CRF table, created by the owner after each migrate: freeze and
        # lock guards; verification made stale and casebook signatures voided by a change
        post_migrate.connect(install_after_migrate, dispatch_uid="datamanagement_lock_guards")
        post_migrate.connect(triggers_after_migrate, dispatch_uid="datamanagement_sdv_triggers")
