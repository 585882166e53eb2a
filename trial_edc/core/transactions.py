"""The transaction of a service, and the transaction a CRF page's save runs in.

A service changes state in a transaction of its own (`@service_transaction`, which is Django's
`transaction.atomic`). Called inside another transaction it takes a savepoint, so that a
caller who catches its refusal can go on with the rest of the transaction.

`whole_transaction()` is a transaction that nobody goes on with after a failure: whatever fails
in it leaves the block and rolls all of it back (`core.forms.crf_save`: the save, then the
claim of the form's one-time key). The first service called in it needs no savepoint, so it
takes none (two statements fewer per save). The services it calls take theirs as usual.
Code inside the block must not catch a service's refusal and go on: the next query would be
refused ("An error occurred in the current transaction").
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import transaction

_WHOLE = ContextVar("trial_edc_whole_transaction", default=False)


@contextmanager
def whole_transaction() -> Iterator[None]:
    with transaction.atomic():
        token = _WHOLE.set(True)
        try:
            yield
        finally:
            _WHOLE.reset(token)


def service_transaction(func):
    """`@transaction.atomic`, with no savepoint directly inside `whole_transaction()`."""

    @wraps(func)
    def run(*args, **kwargs):
        whole = _WHOLE.get()
        token = _WHOLE.set(False)  # what this service calls takes savepoints as usual
        try:
            with transaction.atomic(savepoint=not whole):
                return func(*args, **kwargs)
        finally:
            _WHOLE.reset(token)

    return run
