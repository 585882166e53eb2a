"""The audit context (who, why) is sent once per transaction, and every history entry still
carries its own: a later write of the same transaction, a write with another reason, a write
after a rolled-back savepoint, a write of the next transaction."""

import pghistory
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from trial_edc.accounts.models import Site
from trial_edc.audit.services import audit_context, audited_save

pytestmark = pytest.mark.django_db(transaction=True)


def _set_configs(captured) -> int:
    return sum("set_config('pghistory.context_id'" in q["sql"] for q in captured)


SiteEntry = Site.events.rel.related_model


def _last_entries(n: int):
    return list(SiteEntry.objects.order_by("-pgh_id")[:n])[::-1]


def test_one_set_config_for_the_writes_of_one_transaction(site, other_site, data_manager):
    with (
        pghistory.context(url="/sites/"),
        CaptureQueriesContext(connection) as captured,
        transaction.atomic(),
        audit_context(user=data_manager, reason="renamed"),
    ):
        for name in ("One", "Two", "Three"):
            Site.objects.filter(pk=site.pk).update(name=name)
        Site.objects.filter(pk=other_site.pk).update(name="Other")
    assert _set_configs(captured) == 1
    entries = _last_entries(4)
    assert [e.name for e in entries] == ["One", "Two", "Three", "Other"]
    for entry in entries:
        assert entry.pgh_context["reason"] == "renamed"
        assert entry.pgh_context["user"] == data_manager.pk
        assert entry.pgh_context["url"] == "/sites/"
    assert len({e.pgh_context_id for e in entries}) == 1


def test_each_write_keeps_its_own_reason_within_a_transaction(site, data_manager):
    with (
        pghistory.context(url="/sites/"),
        CaptureQueriesContext(connection) as captured,
        transaction.atomic(),
    ):
        for name, reason in (("A", "first"), ("B", "second"), ("C", "second")):
            site.name = name
            audited_save(instance=site, user=data_manager, reason=reason)
    assert [e.pgh_context["reason"] for e in _last_entries(3)] == ["first", "second", "second"]
    assert _set_configs(captured) == 2  # sent again when the reason changed, not for "C"


def test_a_rolled_back_savepoint_takes_its_context_with_it(site, data_manager):
    with pghistory.context(url="/sites/"), transaction.atomic():
        try:
            with transaction.atomic(), audit_context(user=data_manager, reason="kept?"):
                Site.objects.filter(pk=site.pk).update(name="Rolled back")
                raise RuntimeError
        except RuntimeError:
            pass
        with audit_context(user=data_manager, reason="kept?"):
            Site.objects.filter(pk=site.pk).update(name="Kept")
    (entry,) = _last_entries(1)
    assert entry.name == "Kept"
    assert entry.pgh_context["reason"] == "kept?"
    assert not SiteEntry.objects.filter(name="Rolled back").exists()


def test_the_next_transaction_sets_it_again(site, data_manager):
    with (
        pghistory.context(url="/sites/"),
        audit_context(user=data_manager, reason="twice"),
        CaptureQueriesContext(connection) as captured,
    ):
        for name in ("First", "Second"):
            with transaction.atomic():
                Site.objects.filter(pk=site.pk).update(name=name)
        Site.objects.filter(pk=site.pk).update(name="Autocommit")  # a transaction of its own
    assert _set_configs(captured) == 3
    for entry in _last_entries(3):
        assert entry.pgh_context["reason"] == "twice"


def test_a_released_savepoint_leaves_it_in_force(site, other_site, data_manager):
    with (
        pghistory.context(url="/sites/"),
        CaptureQueriesContext(connection) as captured,
        transaction.atomic(),
        audit_context(user=data_manager, reason="both"),
    ):
        with transaction.atomic():  # a service's savepoint, released
            Site.objects.filter(pk=site.pk).update(name="Inside")
        Site.objects.filter(pk=other_site.pk).update(name="After")
    assert _set_configs(captured) == 1
    for entry in _last_entries(2):
        assert entry.pgh_context["reason"] == "both"
