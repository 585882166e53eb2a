"""`manage.py demo_code` prints the code a demo signer types, and only for the published keys."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.demo.people import demo_seed

pytestmark = pytest.mark.django_db


def test_the_printed_code_signs_the_demo_investigator_in():
    demo_seed()
    out = StringIO()
    call_command("demo_code", "investigator", stdout=out)
    device = TOTPDevice.objects.get(user__username="investigator", confirmed=True)
    assert device.verify_token(out.getvalue().strip())


def test_an_account_with_its_own_key_gets_no_code():
    demo_seed()
    device = TOTPDevice.objects.get(user__username="datamanager", confirmed=True)
    device.key = "00" * 20
    device.save()
    with pytest.raises(CommandError, match="published demo key"):
        call_command("demo_code", "datamanager", stdout=StringIO())
