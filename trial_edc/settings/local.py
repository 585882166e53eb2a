"""A developer's machine and the demo (`make run`): DEBUG on, embedded PostgreSQL by default."""

from trial_edc.settings.base import *  # noqa: F403
from trial_edc.settings.base import databases_config, env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

DATABASES = databases_config()

# serve static files from static/ and the apps without collectstatic
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
