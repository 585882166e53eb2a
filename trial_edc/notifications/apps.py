from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "trial_edc.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from trial_edc.notifications import worklists

        worklists.register()
