from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.demo.baseline import baseline_demo_seed
from portal.demo.datamanagement import datamanagement_demo_seed
from portal.demo.efficacy import efficacy_demo_seed
from portal.demo.enrollment import enrollment_bulk_seed, enrollment_demo_seed
from portal.demo.labs import labs_demo_seed
from portal.demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRETS, demo_is_seeded, demo_seed
from portal.demo.treatment import treatment_demo_seed
from trial_edc.audit.tasks import audit_chain_check_record
from trial_edc.notifications.reminders import reminders_due
from trial_edc.notifications.services import notifications_queue


class Command(BaseCommand):
    help = "Create the demo study: sites, one user per role and demo data. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the demo is already there."
        )
        parser.add_argument(
            "--subjects",
            type=int,
            default=0,
            help="Also enrol N more subjects at site 01 (for benchmarks).",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and demo_is_seeded():
            self.stdout.write("Demo data already present.")
            self._print_logins([])
            return
        already = demo_is_seeded()
        users = demo_seed()
        today = timezone.localdate()
        if not already:
            enrollment_demo_seed(today)
            treatment_demo_seed(today)
            baseline_demo_seed(today)
            efficacy_demo_seed(today)
            labs_demo_seed(today)
            datamanagement_demo_seed()
            # today's reminders, queued as the beat would (sent by a worker when one runs)
            notifications_queue(reminders_due(whole_day=True))
        if options["subjects"]:
            enrollment_bulk_seed(options["subjects"], today)
            self.stdout.write(f"Enrolled {options['subjects']} more subjects at site 01.")
        check = audit_chain_check_record()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo study seeded; audit chain of {check.entries} entries verified."
            )
        )
        self._print_logins(users)

    def _print_logins(self, users):
        if users:
            for username, role, sites in users:
                self.stdout.write(f"  {username:<14} {role:<17} sites {sites}")
        self.stdout.write(f"Demo password for every demo user: {DEMO_PASSWORD}")
        self.stdout.write(
            "Investigators and the data manager then type an authenticator code; add the key "
            "to an authenticator app, or get the current code with `make demo-code U=investigator`"
            " (or `oathtool --totp -b KEY`):"
        )
        for username, secret in DEMO_TOTP_SECRETS.items():
            self.stdout.write(f"  {username:<14} {secret}")
