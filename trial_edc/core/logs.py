"""Logs an operator can use: one line per request and one per Celery task, each with the
request id (django-guid) and the user id, and the request id carried into the tasks a request
sends, so that one grep finds a request and everything it caused.

    trial_edc.requests  GET /subjects/4/ 200 38ms user=7 request=3f2a…
    trial_edc.tasks     task safety.sae_alert_send id=9c1e… SUCCESS 120ms user=7 request=3f2a…

Every other line logged while a request or a task runs carries the same two ids through the
RequestContext filter (settings LOGGING). Nothing here reads the settings or imports a model at
import time: trial_edc.celery imports it before Django is set up.
"""

import contextlib
import logging
import time
import uuid
from contextvars import ContextVar

# only the context variable: django_guid.utils reads the settings, and this module is
# imported with trial_edc (trial_edc.celery), before they may be read
from django_guid.context import guid

request_logger = logging.getLogger("trial_edc.requests")
task_logger = logging.getLogger("trial_edc.tasks")

NONE = "-"
# the request being answered (its user is known only once AuthenticationMiddleware ran)
_request: ContextVar = ContextVar("trial_edc_request", default=None)
# the user a task runs for: the one whose request sent it, when it was sent from a request
_task_user: ContextVar = ContextVar("trial_edc_task_user", default=None)

REQUEST_ID_HEADER = "request_id"
USER_ID_HEADER = "user_id"


def current_request_id() -> str | None:
    return guid.get()


def current_user_id() -> str | None:
    """The signed-in user of the current request, else the user of the current task."""
    request = _request.get()
    if request is not None:
        user = getattr(request, "user", None)  # set by AuthenticationMiddleware
        if user is not None and user.is_authenticated:
            return str(user.pk)
        return None
    return _task_user.get()


def _safe_user_id() -> str | None:
    try:
        return current_user_id()
    except Exception:  # a lazy user whose session cannot be read now: never fail a log line
        return None


class RequestContext(logging.Filter):
    """Adds record.request_id and record.user_id ('-' outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or NONE
        record.user_id = _safe_user_id() or NONE
        return True


# a load balancer's or the container's probe every few seconds: its line only at DEBUG
# (a failing probe, not 200, is logged at INFO like any request)
QUIET_PATHS = frozenset({"/health/"})


class RequestLogMiddleware:
    """One line per request, once the response is made: method, path, status, duration, user
    id and request id. Second in MIDDLEWARE, after django-guid's, so that it times all the
    others and sees every response, redirects and error pages included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            self._log(request, response.status_code, started)
            return response
        except Exception:  # Django turns exceptions into responses; this is a last resort
            self._log(request, 500, started)
            raise
        finally:
            _request.reset(token)

    @staticmethod
    def _log(request, status: int, started: float) -> None:
        duration_ms = (time.perf_counter() - started) * 1000
        quiet = request.path in QUIET_PATHS and status == 200
        request_logger.log(
            logging.DEBUG if quiet else logging.INFO,
            "%s %s %s %.0fms user=%s request=%s",
            request.method,
            request.path,
            status,
            duration_ms,
            _safe_user_id() or NONE,
            current_request_id() or NONE,
            extra={"status_code": status, "duration_ms": round(duration_ms, 1)},
        )


# --- Celery: the ids travel in the task message's headers ----------------------------------

# task id -> (start time, the context variables' tokens to reset once the task is done)
_running: dict[str, tuple[float, list]] = {}


def _request_value(task, name: str) -> str | None:
    request = task.request
    value = request.get(name)  # a worker: custom headers are attributes of the request
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)  # an eager run
    return None if value is None else str(value)


def task_publish(headers: dict | None = None, **kwargs) -> None:
    """before_task_publish: the request id and user id of the sender go with the message."""
    if headers is None:
        return
    if request_id := current_request_id():
        headers.setdefault(REQUEST_ID_HEADER, request_id)
    if user_id := _safe_user_id():
        headers.setdefault(USER_ID_HEADER, user_id)


def task_prerun(task_id: str | None = None, task=None, kwargs=None, **extra) -> None:
    """task_prerun: take the sender's ids (an eager task keeps its caller's), else a new
    request id for this task, so that its lines can be told from another's."""
    user_id = _request_value(task, USER_ID_HEADER)
    if user_id is None and isinstance(kwargs, dict) and kwargs.get("user_id") is not None:
        user_id = str(kwargs["user_id"])  # a task that carries its user as an argument
    if user_id is None and getattr(task.request, "is_eager", False):
        user_id = _safe_user_id()  # run in-process, for the request's user
    request_id = _request_value(task, REQUEST_ID_HEADER) or guid.get() or uuid.uuid4().hex
    tokens = [
        (guid, guid.set(request_id)),
        (_task_user, _task_user.set(user_id)),
        (_request, _request.set(None)),  # inside the task, the task's user is the one
    ]
    _running[task_id] = (time.perf_counter(), tokens)


def task_postrun(task_id: str | None = None, task=None, state: str | None = None, **extra):
    """task_postrun (after a success and a failure alike): the task's one line."""
    started, tokens = _running.pop(task_id, (None, []))
    duration = f"{(time.perf_counter() - started) * 1000:.0f}ms" if started else NONE
    task_logger.info(
        "task %s id=%s %s %s user=%s request=%s",
        getattr(task, "name", NONE),
        task_id,
        state or NONE,
        duration,
        _task_user.get() or NONE,
        current_request_id() or NONE,
    )
    for var, token in reversed(tokens):
        with contextlib.suppress(ValueError):  # set in another context: nothing to undo here
            var.reset(token)


def celery_connect() -> None:
    """Connect the three handlers (trial_edc.celery calls this once)."""
    from celery import signals

    signals.before_task_publish.connect(task_publish, weak=False, dispatch_uid="edc_publish")
    signals.task_prerun.connect(task_prerun, weak=False, dispatch_uid="edc_prerun")
    signals.task_postrun.connect(task_postrun, weak=False, dispatch_uid="edc_postrun")
