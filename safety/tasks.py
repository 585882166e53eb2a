"""Safety tasks: take ids, load fresh state, are safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safety.adverse_events import sae_deadline
from safety.models import SeriousAdverseEventReport
from trial_edc.accounts.models import User
from trial_edc.accounts.roles import GROUP_NAMES, Role
from trial_edc.audit.services import audit_context


def site_investigator_emails(site_id: int) -> list[str]:
    return list(
        User.objects.filter(
            memberships__site_id=site_id,
            groups__name=GROUP_NAMES[Role.INVESTIGATOR],
            is_active=True,
        )
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


@shared_task(
    name="safety.sae_alert_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def sae_alert_send(report_id: int) -> bool:
    """E-mail the site's investigators about a new SAE, once; True if this run sent it."""
    with transaction.atomic():
        report = (
            SeriousAdverseEventReport.objects.select_for_update()
            .select_related("adverse_event__subject__site")
            .get(pk=report_id)
        )
        if report.alert_sent_at is not None:
            return False
        ae = report.adverse_event
        recipients = site_investigator_emails(ae.subject.site_id)
        deadline = sae_deadline(report)
        if recipients:
            send_mail(
                _("SAE at site %(site)s: %(term)s (%(subject)s)")
                % {"site": ae.subject.site.code, "term": ae.aeterm, "subject": ae.subject},
                _(
                    "A serious adverse event was recorded.\n\nSubject: %(subject)s\n"
                    "Event: %(term)s, grade %(grade)s, onset %(onset)s\n"
                    "Report it to the sponsor before %(deadline)s UTC.\n\n%(url)s"
                )
                % {
                    "subject": ae.subject,
                    "term": ae.aeterm,
                    "grade": ae.aetoxgr,
                    "onset": ae.aestdtc.isoformat(),
                    "deadline": f"{deadline:%Y-%m-%d %H:%M}",
                    "url": f"{settings.SITE_URL}/adverse-events/{ae.pk}/",
                },
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
        report.alert_sent_at = timezone.now()
        report.alert_recipients = ", ".join(recipients)
        with audit_context(user=None, reason="SAE alert sent"):
            report.save(update_fields=["alert_sent_at", "alert_recipients"])
        return True
