"""`migrate` runs as the owner role ("owner" connection, DATABASE_OWNER_URL) by default."""

from django.core.management.commands import migrate

from trial_edc.audit.grants import owner_database


class Command(migrate.Command):
    help = migrate.Command.help + " Runs as the owner role (DATABASE_OWNER_URL) when set."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database=owner_database())
