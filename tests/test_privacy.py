"""Issue 19, point 10: private pages and downloads are not kept in a browser's cache, and a
download says what it is (content type, a file name with the protocol and the kind).
Every URL of the permission table is checked in tests/test_permissions.py."""

from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from trial_edc.core.privacy import NoStoreMiddleware
from trial_edc.study import study


def test_signed_in_page_is_not_stored(coordinator_client):
    response = coordinator_client.get(reverse("portal:home"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_download_is_never_stored_even_without_a_session():
    request = RequestFactory().get("/x")
    for made in (
        lambda: FileResponse(iter([b"%PDF"]), filename="a.pdf", as_attachment=True),
        lambda: _attachment(),
    ):
        response = NoStoreMiddleware(lambda r, made=made: made())(request)
        assert "no-store" in response["Cache-Control"]


def _attachment():
    response = HttpResponse(b"a,b", content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="x.csv"'
    response["Cache-Control"] = "max-age=3600"
    return response


def test_efficacy_downloads_say_what_they_are(monitor_client):
    for name, content_type in (
        ("efficacy:efficacy_summary_csv", "text/csv"),
        ("efficacy:efficacy_summary_pdf", "application/pdf"),
    ):
        response = monitor_client.get(reverse(name))
        assert response["Content-Type"].startswith(content_type)
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert study().protocol_id in disposition
        assert "change-from-baseline" in disposition
        assert "no-store" in response["Cache-Control"]
