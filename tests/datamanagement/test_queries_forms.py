"""The query forms with hostile input: every refusal is a message next to its field, never a
server error, and a refused form writes nothing."""

import pytest
from django.urls import reverse

from datamanagement.models.queries import Query, QueryMessage
from datamanagement.queries import services
from tests.datamanagement.queries_helpers import vitals  # noqa: F401
from tests.test_forms_property import HOSTILE_CHOICES, HOSTILE_TEXT

LONG = "x" * 5000


@pytest.mark.parametrize("field", [*HOSTILE_CHOICES, "id", "recorded_by", "subject"])
def test_a_hostile_item_is_refused_next_to_the_field(monitor_client, field, vitals):  # noqa: F811
    url = reverse("datamanagement:record_queries", args=["safety.vitalsigns", vitals.pk])
    page = monitor_client.post(url, {"field": field, "text": "?"})
    if field == "":
        assert page.status_code == 302  # the whole record: allowed
        return
    assert page.status_code == 200
    assert "field" in page.context["form"].errors
    assert not Query.objects.exists()


@pytest.mark.parametrize("text", [*map(str, HOSTILE_TEXT), LONG, ""])
def test_hostile_text_is_saved_escaped_or_refused(monitor_client, text, vitals):  # noqa: F811
    url = reverse("datamanagement:record_queries", args=["safety.vitalsigns", vitals.pk])
    page = monitor_client.post(url, {"field": "hr", "text": text})
    assert page.status_code in (200, 302)
    if page.status_code == 200:
        assert "text" in page.context["form"].errors
        assert not Query.objects.exists()
    else:
        detail = monitor_client.get(page.url)
        assert detail.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": ""},
        {"action": "delete"},
        {"action": "close", "text": LONG},
        {"action": ["answer", "close"]},
        {"action": "answer\x00", "text": "x"},
    ],
)
def test_a_hostile_move_is_a_message_never_an_error(
    monitor_client,
    monitor,
    data,
    vitals,  # noqa: F811
):
    q = services.query_raise(user=monitor, record=vitals, field="hr", text="Check")
    url = reverse("datamanagement:query_detail", args=[q.pk])
    page = monitor_client.post(url, data)
    assert page.status_code == 200
    assert page.context["form"].errors
    assert QueryMessage.objects.count() == 1
    for bad in ("0", "99999999999999999999"):
        bad_url = f"/queries/record/safety.vitalsigns/{bad}/"
        assert monitor_client.get(bad_url).status_code == 404
