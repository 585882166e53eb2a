from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from trial_edc.audit.chain import audit_chain_verify
from trial_edc.audit.models import AuditChainCheck


def audit_chain_check_record() -> AuditChainCheck:
    report = audit_chain_verify()
    return AuditChainCheck.objects.create(
        entries=report.entries, ok=report.ok, problem=str(report.broken or "")
    )


@shared_task(name="trial_edc.audit.tasks.audit_chain_verify_task")
def audit_chain_verify_task() -> dict:
    """Nightly: verify the chain, keep the result, and alert the data managers if broken."""
    from trial_edc.accounts.models import User
    from trial_edc.accounts.roles import GROUP_NAMES, Role

    check = audit_chain_check_record()
    if not check.ok:
        recipients = list(
            User.objects.filter(groups__name=GROUP_NAMES[Role.DATA_MANAGER], is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if recipients:
            send_mail(
                _("trial-edc: the audit trail failed verification"),
                _("The audit hash chain is broken at %(problem)s. Checked at %(at)s UTC.")
                % {"problem": check.problem, "at": f"{check.checked_at:%Y-%m-%d %H:%M}"},
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
    return {"check_id": check.pk, "ok": check.ok, "entries": check.entries}
