"""`flush` empties the database as the owner role with the maintenance switch on: the
runtime role may not TRUNCATE, and the audit trail's tables refuse TRUNCATE without the
switch (the tests' transactional cases flush after each test through this); the audit chain
then starts again at its genesis head, numbered from 1."""

from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.core.management.commands import flush
from django.core.management.sql import emit_post_migrate_signal, sql_flush
from django.db import connections

from trial_edc.audit.grants import maintenance, owner_connection_private, owner_database
from trial_edc.audit.sql import CHAIN_RESTART


class Command(flush.Command):
    help = flush.Command.help + " Runs as the owner role, with the maintenance switch on."

    def handle(self, **options):
        # CASCADE: a table Django no longer lists still references the users (knox's own
        # AuthToken, swapped for datamanagement.ApiToken, keeps the table its migration made)
        options["allow_cascade"] = True
        database = options["database"]
        owner = owner_database()
        if database == owner:
            with maintenance(connections[database]):
                result = super().handle(**options)
            if not options["interactive"]:  # flushed (an interactive flush may be cancelled)
                with connections[database].cursor() as cursor:
                    cursor.execute(CHAIN_RESTART)
            return result
        # The runtime role's database, emptied by the owner on a connection of its own (a
        # test case allows queries only on the connections it names).
        connection = owner_connection_private(connections[database].settings_dict["NAME"])
        self.style = no_style()
        try:
            sql_list = sql_flush(
                self.style,
                connection,
                reset_sequences=options.get("reset_sequences", True),
                allow_cascade=True,
            )
            if options["interactive"]:
                confirm = input(
                    f"This will IRREVERSIBLY DESTROY all data in the "
                    f'"{connection.settings_dict["NAME"]}" database.\n'
                    "Type 'yes' to continue, or 'no' to cancel: "
                )
                if confirm != "yes":
                    self.stdout.write("Flush cancelled.")
                    return
            try:
                with maintenance(connection), connection.cursor() as cursor:
                    for statement in sql_list:
                        cursor.execute(statement)
                    if sql_list:
                        cursor.execute(CHAIN_RESTART)
            except Exception as exc:
                raise CommandError(
                    f"Database {connection.settings_dict['NAME']} couldn't be flushed: {exc}"
                ) from exc
        finally:
            connection.close()
        if sql_list and not options.get("inhibit_post_migrate", False):
            emit_post_migrate_signal(options["verbosity"], options["interactive"], database)
