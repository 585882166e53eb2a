from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataManagementConfig(AppConfig):
    name = "datamanagement"
    verbose_name = _("Data management")

    def ready(self):
        from django.db.models.signals import post_migrate

        from datamanagement import registry
        from datamanagement.locks.triggers import install_after_migrate

        registry.register()
        post_migrate.connect(install_after_migrate, dispatch_uid="datamanagement_lock_guards")
