"""Tests: the database of DATABASE_URL, else the PostgreSQL on 127.0.0.1:5432 if it answers,
else the embedded server. Celery runs eagerly unless a test starts the real worker."""

from trial_edc.settings.base import *  # noqa: F403
from trial_edc.settings.base import BASE_DIR, databases_config, env

DATABASES = databases_config(prefer_local_server=True)
# Two checkouts testing against one server at once each name their own test database. The
# owner creates and migrates it, the tests run as the runtime role (tests/conftest.py).
for _database in DATABASES.values():
    _database["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=None)}
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A real worker started by the outbox tests sends to their SMTP server (tests/notifications).
if env("TEST_WORKER_EMAIL_URL", default=""):
    vars().update(env.email_url("TEST_WORKER_EMAIL_URL"))
CELERY_TASK_ALWAYS_EAGER = True
# The real worker (tests/conftest.py) uses its own Redis database number and queue.
TEST_REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_URL = TEST_REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = env("TEST_CELERY_QUEUE", default="trial_edc_test")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}

# serve static files from static/ and the apps without collectstatic
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# reports written by the test process and the real worker go to the same throw-away folder
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / ".test-media"))
# exports made by the test process and the real worker, in the same throw-away folder
EXPORT_ROOT = str(MEDIA_ROOT).rstrip("/") + "/exports"
