"""Data management shows itself on every saved CRF page through `registry.record_parts`: what
a part registers appears with the record, and a read-only record (frozen or locked) has no
save button. A new record shows no part."""

import pytest
from django.urls import reverse

from safety.models import VitalSigns
from tests.safety.test_views import VITALS, _at, _new
from trial_edc.core import registry

LOCKED: set[int] = set()


@pytest.fixture
def part(tmp_path, settings):
    (tmp_path / "record_part.html").write_text('<p data-testid="part">{{ part.label }}</p>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    entry = registry.record_parts.register(
        registry.RecordPart(
            key="test.part",
            template="record_part.html",
            context=lambda request, record: {"label": f"part of {record._meta.model_name}"},
            read_only=lambda record: record.pk in LOCKED,
        )
    )
    yield entry
    LOCKED.clear()
    registry.record_parts._entries.pop(entry.key)


def test_a_saved_record_shows_its_parts_and_read_only_hides_save(
    part, coordinator_client, subject_on_day_6
):
    subject = subject_on_day_6
    new = coordinator_client.get(_new(subject)).content.decode()
    assert 'data-testid="part"' not in new
    coordinator_client.post(_new(subject), VITALS | {"measured_at": _at(subject)})
    vitals = VitalSigns.objects.get()
    page = coordinator_client.get(reverse("safety:vitals_edit", args=[subject.pk, vitals.pk]))
    html = page.content.decode()
    assert '<p data-testid="part">part of vitalsigns</p>' in html
    assert ">Save</button>" in html
    LOCKED.add(vitals.pk)
    html = coordinator_client.get(
        reverse("safety:vitals_edit", args=[subject.pk, vitals.pk])
    ).content.decode()
    assert ">Save</button>" not in html
