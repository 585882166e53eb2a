from pathlib import Path

from django.core.management.base import BaseCommand

from safety.ctcae import CSV_PATH, ctcae_load
from safety.models import CtcaeTerm


class Command(BaseCommand):
    help = "Load (or refresh) the CTCAE v5.0 term list from a CSV (default: safety/data/)."

    def add_arguments(self, parser):
        parser.add_argument("--csv", type=Path, default=CSV_PATH)

    def handle(self, *args, csv: Path, **options):
        count = ctcae_load(CtcaeTerm, csv)
        self.stdout.write(self.style.SUCCESS(f"{count} CTCAE terms loaded from {csv}."))
