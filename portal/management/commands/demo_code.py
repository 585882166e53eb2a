"""The current authenticator code of a demo investigator or data manager, for trying the demo
without an authenticator app. Only the public demo keys (portal.demo.people) are read: an
account whose key is not the published demo key gets nothing."""

from base64 import b32decode

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.demo.people import DEMO_TOTP_SECRETS


class Command(BaseCommand):
    help = "Print the current code of a demo user's published authenticator key."

    def add_arguments(self, parser):
        parser.add_argument("username", choices=sorted(DEMO_TOTP_SECRETS))

    def handle(self, *args, username, **options):
        key = b32decode(DEMO_TOTP_SECRETS[username])
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None or device.bin_key != key:
            raise CommandError(f"{username} does not use the published demo key.")
        code = totp(key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
