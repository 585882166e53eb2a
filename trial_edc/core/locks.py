"""A write refused because its record is frozen or locked (issue 14, data management).

The refusal comes from PostgreSQL (a trigger that data management installs on every CRF
table), with its own SQLSTATE, so that whatever wrote — a form, a service, `update()` or raw
SQL — is refused the same way, and a page can tell this refusal from any other error."""

from django.db import DatabaseError
from django.utils.translation import gettext as _

# A class of our own ("E" + "L"ocked): no PostgreSQL condition uses it.
RECORD_LOCKED_SQLSTATE = "EL001"


def is_record_locked(exc: BaseException) -> bool:
    """True if `exc` (a DatabaseError) is the refusal of a write to a frozen or locked record."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__ or exc
    return getattr(cause, "pgcode", None) == RECORD_LOCKED_SQLSTATE


def record_locked_message() -> str:
    return _(
        "This record is frozen or locked by data management: it cannot be changed. "
        "Nothing was saved."
    )


class RecordLockedMiddleware:
    """The safety net of every page that writes outside `crf_save` (a service called from a
    button, a bulk action): a write the database refuses because the record is frozen or
    locked is a message on the page it came from, never a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_record_locked(exception):
            return None
        from django.contrib import messages
        from django.shortcuts import redirect

        messages.error(request, record_locked_message())
        return redirect(request.get_full_path())
