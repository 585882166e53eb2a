from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EfficacyConfig(AppConfig):
    name = "efficacy"
    verbose_name = _("Efficacy and follow-up")

    def ready(self):
        from efficacy.registry import register

        register()
