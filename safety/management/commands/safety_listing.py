from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from safety.listing_pdf import safety_listing_pdf
from safety.listings import ListingFilter, listing_context


class Command(BaseCommand):
    help = "Write the safety listings PDF (the same file monitors download) to --out."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--site", action="append", default=[], help="site code; repeatable")
        parser.add_argument("--subject", default="")
        parser.add_argument("--from", dest="onset_from", type=date.fromisoformat)
        parser.add_argument("--to", dest="onset_to", type=date.fromisoformat)
        parser.add_argument("--serious-only", action="store_true")
        parser.add_argument("--generated-by", default="manage.py safety_listing")

    def handle(self, *args, **o):
        f = ListingFilter(
            site_codes=tuple(o["site"]),
            subject_number=o["subject"],
            onset_from=o["onset_from"],
            onset_to=o["onset_to"],
            serious_only=o["serious_only"],
        )
        listing = listing_context(
            user=None, f=f, generated_by=o["generated_by"], cut_off=timezone.now()
        )
        o["out"].write_bytes(safety_listing_pdf(listing))
        self.stdout.write(
            self.style.SUCCESS(f"{listing.summary.total} adverse events written to {o['out']}.")
        )
