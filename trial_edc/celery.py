"""The Celery app: Redis broker, JSON only, late acknowledgement (see settings/base.py).

The beat schedule is CELERY_BEAT_SCHEDULE in settings (no database scheduler): it is part
of the code, reviewed and versioned like the rest.
"""

import os

from celery import Celery
from celery.signals import setup_logging

from trial_edc.core import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trial_edc.settings.local")

app = Celery("trial_edc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    [
        "trial_edc.audit",
        "trial_edc.notifications",
        "enrollment",
        "dosing",
        "safety",
        "efficacy",
        "datamanagement",
    ]
)

# one line per task, with the request id and user id of the request that sent it
logs.celery_connect()


@setup_logging.connect(weak=False)
def logging_from_settings(**kwargs) -> None:
    """The worker and beat log as the web does (settings LOGGING, LOG_LEVEL), not in
    Celery's own format: the request id is on every line."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
