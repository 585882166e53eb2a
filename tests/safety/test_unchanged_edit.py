"""A signed AE saved again without a change, a reason typed or not: "nothing changed", no
history row, and the signature stays valid."""

from django.urls import reverse

from safety.forms import AdverseEventForm
from safety.services.signatures import signature_is_valid


def _as_posted(ae) -> dict:
    """The AE's page sent back as a browser sends it, unchanged."""
    form = AdverseEventForm(instance=ae)
    data = {}
    for name in AdverseEventForm.Meta.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    return data


def test_a_signed_ae_saved_unchanged_with_a_reason_keeps_its_signature(
    coordinator_client, fixture_aes
):
    cough = fixture_aes
    history = cough.events.count()
    response = coordinator_client.post(
        reverse("safety:adverse_event_edit", args=[cough.pk]),
        _as_posted(cough) | {"reason_for_change": "checked against the source"},
        follow=True,
    )
    assert response.redirect_chain
    assert "Nothing changed." in [str(m) for m in response.context["messages"]]
    assert cough.events.count() == history
    assert signature_is_valid(cough.signatures.get())
