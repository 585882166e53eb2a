"""The AE listing PDF as drawn by ReportLab, read back with poppler: Chinese headings and a
Chinese narrative as typed, in an embedded CJK font; the signature manifestation; times in the
site's zone with the zone named; a long row wrapped inside the page, not cut at its edge."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from safety.models import AdverseEvent
from safety.services import adverse_events
from tests.conftest import service_missing

CHINESE_NARRATIVE = "第3天雾化结束后出现阵发性干咳，休息后缓解。"
LONG_TERM = "Cough with wheeze and chest tightness after every nebulisation of the first week"
LONG_NARRATIVE = " ".join(
    f"Sentence{i} of a long narrative describing the event, its treatment and its course."
    for i in range(1, 13)
)


def _poppler(tool: str, data: bytes, tmp_path, *args: str) -> str:
    if shutil.which(tool) is None:
        service_missing(f"{tool} (apt-get install poppler-utils)")
    path = tmp_path / "listing.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def pdf_text(data: bytes, tmp_path) -> str:
    return " ".join(_poppler("pdftotext", data, tmp_path).split())


def _record(subject, coordinator, **values):
    base = {
        "subject": subject,
        "aestdtc": subject.day1,
        "aetoxgr": 2,
        "ongoing": True,
        "aerel": "POSSIBLY RELATED",
        "aeout": "RECOVERING/RESOLVING",
        "aeacn": "DOSE NOT CHANGED",
    }
    return adverse_events.adverse_event_record(ae=AdverseEvent(**(base | values)), user=coordinator)


def _download(client) -> bytes:
    response = client.get(reverse("safety:safety_listings") + "?download=pdf")
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_a_listing_asked_for_in_chinese_has_chinese_headings_and_the_narrative_as_typed(
    subject, coordinator, monitor, client_for, tmp_path
):
    _record(subject, coordinator, aeterm="雾化后阵发性干咳伴胸闷", narrative=CHINESE_NARRATIVE)
    monitor.language = "zh-hans"
    monitor.save(update_fields=["language"])
    data = _download(client_for(monitor))
    text = pdf_text(data, tmp_path)
    for heading in ("安全性列表", "按受试者的不良事件列表", "严重不良事件列表", "汇总"):
        assert heading in text
    assert "雾化后阵发性干咳伴胸闷" in text
    assert CHINESE_NARRATIVE in text
    fonts = _poppler("pdffonts", data, tmp_path)
    assert any("NotoSansCJK" in line and " yes " in line for line in fonts.splitlines())


def test_the_signature_manifestation_is_printed_in_the_sites_time(
    fixture_aes, investigator, monitor_client, tmp_path
):
    text = pdf_text(_download(monitor_client), tmp_path)
    signature = fixture_aes.signatures.get()
    zone = fixture_aes.subject.site.time_zone
    assert f"Signature: {investigator.printed_name}, " in text
    assert f"({zone}): {signature.meaning}" in text
    assert "Signature: unsigned" in text  # the two AEs not signed
    assert re.search(r"\b1 ?/ ?\d+\b", text)  # page 1 of n


def test_a_long_row_wraps_inside_the_page_instead_of_being_cut(
    subject, coordinator, monitor_client, tmp_path
):
    _record(subject, coordinator, aeterm=LONG_TERM, narrative=LONG_NARRATIVE)
    data = _download(monitor_client)
    text = pdf_text(data, tmp_path)
    for word in (LONG_TERM + " " + LONG_NARRATIVE).split():
        assert word in text
    assert "Sentence12 of a long narrative" in text

    # every word inside the page; the term and the narrative each on several lines
    boxes = _poppler("pdftotext", data, tmp_path, "-bbox")
    page_width = float(re.search(r'<page width="([\d.]+)"', boxes)[1])
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        boxes,
    )
    assert words
    assert all(float(x_max) <= page_width - 20 for _, _, x_max, _ in words)
    tops = {word: float(y_min) for _, y_min, _, word in words}
    assert tops["Cough"] < tops["nebulisation"]
    assert tops["Sentence1"] < tops["Sentence12"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_empty_listing_says_so(monitor, client_for, language, tmp_path):
    monitor.language = language
    monitor.save(update_fields=["language"])
    text = pdf_text(_download(client_for(monitor)), tmp_path)
    assert ("No adverse events." if language == "en" else "没有不良事件。") in text
