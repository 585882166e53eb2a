import pytest
from celery.result import EagerResult
from django.core import mail

from tests.conftest import owner_cursor, wait_for
from trial_edc.audit.models import AuditChainCheck
from trial_edc.notifications.tasks import audit_chain_verify_task


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_nightly_chain_check_runs_on_the_real_worker(celery_worker, site, data_manager):
    result = audit_chain_verify_task.delay()
    assert not isinstance(result, EagerResult)  # queued to Redis, not run in this process
    check = wait_for(lambda: AuditChainCheck.objects.first())
    assert check.ok
    # the site and the data manager's membership: two entries written by triggers
    assert check.entries == 2


@pytest.mark.django_db(transaction=True)
def test_broken_chain_alerts_the_data_managers(site, data_manager, coordinator):
    with owner_cursor() as cursor:
        cursor.execute("ALTER TABLE accounts_siteauditevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE accounts_siteauditevent SET name = 'forged'")
        cursor.execute("ALTER TABLE accounts_siteauditevent ENABLE TRIGGER USER")
    outcome = audit_chain_verify_task()
    assert outcome["ok"] is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [data_manager.email]
    assert "column name differs from the entry as written" in mail.outbox[0].body


def test_intact_chain_sends_nothing(site, data_manager):
    assert audit_chain_verify_task()["ok"] is True
    assert mail.outbox == []
