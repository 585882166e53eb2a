from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DosingConfig(AppConfig):
    name = "dosing"
    verbose_name = _("Treatment")

    def ready(self):
        from dosing.registry import register

        register()
