"""The first account of a new installation: a data manager (not a superuser)."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from trial_edc.accounts import services

PASSWORD_ENV = "DATA_MANAGER_PASSWORD"  # noqa: S105 - the variable's name, not a password


class Command(BaseCommand):
    help = (
        "Create the first data manager (an ordinary account with the data manager role and a "
        "site). Refused once an active data manager exists: they add users on the Users page. "
        f"The password is asked twice, or taken from ${PASSWORD_ENV} for scripts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--site-code", required=True, help="e.g. 01")
        parser.add_argument("--site-name", default="", help="needed if the site does not exist")
        parser.add_argument("--time-zone", default="Asia/Shanghai")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options):
        password = os.environ.get(PASSWORD_ENV) or self._ask_password()
        try:
            user = services.first_data_manager_create(
                username=options["username"],
                password=password,
                site_code=options["site_code"],
                site_name=options["site_name"],
                time_zone=options["time_zone"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
        except services.DataManagerExists as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Data manager {user.username} created for site {options['site_code']}. "
                "At first sign-in they add an authenticator app."
            )
        )

    def _ask_password(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
