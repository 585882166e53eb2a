from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataManagementConfig(AppConfig):
    name = "datamanagement"
    verbose_name = _("Data management")

    def ready(self):
        from datamanagement import registry

        registry.register()
