"""Errors to Sentry when SENTRY_DSN is set (settings/base.py calls sentry_init then).

sentry-sdk is the `sentry` extra (in requirements.lock, so in the image); it is imported only
here, only with a DSN. Its Django, Celery and logging integrations turn on by themselves:
unhandled exceptions of requests and tasks, and ERROR log lines, become Sentry events.
"""

import logging

logger = logging.getLogger("trial_edc.sentry")


def sentry_init(dsn: str, *, environment: str, release: str | None = None) -> bool:
    """Send errors to Sentry (the `sentry` extra); True if it is on. Without the package, one
    clear line on the log and the application goes on (errors are still logged)."""
    try:
        import sentry_sdk
    except ImportError:
        logger.error(
            "SENTRY_DSN is set but sentry-sdk is not installed (pip install "
            "'trial-edc[sentry]'): errors go to the log only, not to Sentry"
        )
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        # clinical data: no user names, e-mails, IP addresses or cookies, no request bodies
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0,
    )
    return True
