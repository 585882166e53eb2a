"""Absolute links for e-mails and PDFs, by URL name (never built by hand)."""

from django.conf import settings
from django.urls import reverse


def absolute_url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)
