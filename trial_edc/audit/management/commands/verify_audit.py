from django.core.management.base import BaseCommand, CommandError

from trial_edc.audit.tasks import audit_chain_check_record


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain and report the first broken link; prints the"
        " verified head (sequence number and hash) to keep outside the database."
    )

    def handle(self, *args, **options):
        check = audit_chain_check_record()
        if not check.ok:
            raise CommandError(
                f"Audit chain BROKEN after {check.entries} good entries: {check.problem}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {check.entries} entries verified."
                f" Head: seq {check.head_seq}, hash {check.head_hash}."
            )
        )
