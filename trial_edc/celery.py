"""The Celery app: Redis broker, JSON only, late acknowledgement (see settings/base.py).

The beat schedule is CELERY_BEAT_SCHEDULE in settings (no database scheduler): it is part
of the code, reviewed and versioned like the rest.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trial_edc.settings.local")

app = Celery("trial_edc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["trial_edc.audit", "trial_edc.notifications", "enrollment", "dosing", "safety", "efficacy"]
)
