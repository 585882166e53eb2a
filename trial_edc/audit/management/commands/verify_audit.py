from django.core.management.base import BaseCommand, CommandError

from trial_edc.audit.tasks import audit_chain_check_record


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and report the first broken link."

    def handle(self, *args, **options):
        check = audit_chain_check_record()
        if not check.ok:
            raise CommandError(
                f"Audit chain BROKEN after {check.entries} good entries: {check.problem}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {check.entries} entries verified.")
        )
