"""Production (docker-compose, gunicorn): every secret from the environment, HTTPS only.

Required (it refuses to start without each): SECRET_KEY, DATABASE_URL (the runtime role),
ALLOWED_HOSTS; REDIS_URL for a worker; DATABASE_OWNER_URL where migrations run (the compose
`migrate` service). E-mail via EMAIL_URL. Optional: TRUSTED_PROXY_COUNT (default 1, the reverse
proxies in front of gunicorn), SENTRY_DSN, LOG_LEVEL.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from trial_edc.settings.base import *  # noqa: F403
from trial_edc.settings.base import DEV_SECRET_KEY, databases_config, env

# --- required: no embedded database, no development key, no host guessed in production ---
REQUIRED = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS")


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set: trial_edc.settings.production needs SECRET_KEY, "
            f"DATABASE_URL and ALLOWED_HOSTS in the environment"
        )
    return value


for _name in REQUIRED:
    required(_name)
if required("SECRET_KEY") == DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is the development key: set a secret one")

DEBUG = False
SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# how many reverse proxies (each adding to X-Forwarded-For) stand in front of gunicorn
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# the health check answers over plain HTTP too (the container's own probe, a load balancer)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DATABASES = databases_config()
# each gunicorn worker keeps its connection (a new PostgreSQL backend per request costs more
# than most pages), checked before reuse so a restarted server costs one failed request none
for _db in DATABASES.values():
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
