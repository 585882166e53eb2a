from django.core.management.base import BaseCommand

from trial_edc.audit.chain import audit_chain_seal


class Command(BaseCommand):
    help = (
        "Seal the audit trail's entries written since the last seal into the hash chain, in"
        " order (the beat does this every minute; verify_audit seals first as well)."
    )

    def handle(self, *args, **options):
        sealed = audit_chain_seal()
        self.stdout.write(self.style.SUCCESS(f"Audit chain: {sealed} entries sealed."))
