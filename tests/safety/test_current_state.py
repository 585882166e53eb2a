"""Issue 12.1: the AE as it stands after its follow-ups (worst grade, current outcome and end
date) in every listing, summary, 30-day report, SAE listing, AE page and the subject
dashboard; summaries count by worst grade."""

from datetime import date, timedelta

from django.urls import reverse

from safety import listings, rules
from safety.listing_text import listing_pages
from safety.models import AdverseEvent, AdverseEventFollowUp
from safety.services import adverse_events
from tests.safety.test_listings import pdf_text


def _mild_cough(subject, coordinator) -> AdverseEvent:
    """A grade-1 cough, first recorded as recovered on day 2."""
    return adverse_events.adverse_event_record(
        ae=AdverseEvent(
            subject=subject,
            aeterm="Cough after nebulization",
            aestdtc=subject.day1,
            aeendtc=subject.day1 + timedelta(days=1),
            aetoxgr=1,
            aerel="POSSIBLY RELATED",
            aeacn="DOSE NOT CHANGED",
            aeout="RECOVERED/RESOLVED",
        ),
        user=coordinator,
    )


def _fatal_follow_up(ae, coordinator, day: int = 4):
    when = ae.subject.day1 + timedelta(days=day - 1)
    return adverse_events.adverse_event_follow_up(
        follow_up=AdverseEventFollowUp(
            adverse_event=ae, assessed_on=when, aetoxgr=5, aeout="FATAL", aeendtc=when
        ),
        user=coordinator,
    )


def test_the_latest_follow_up_gives_outcome_and_end_the_highest_grade_is_the_worst():
    onset = date(2026, 4, 1)
    state = rules.current_state(
        grade=1,
        outcome="RECOVERED/RESOLVED",
        end=onset,
        ongoing=False,
        follow_ups=[
            rules.FollowUpValues(onset + timedelta(days=5), 2, 2, "RECOVERED/RESOLVED", None),
            rules.FollowUpValues(
                onset + timedelta(days=3), 1, 4, "NOT RECOVERED/NOT RESOLVED", None
            ),
        ],
    )
    assert (state.initial_grade, state.worst_grade, state.grade) == (1, 4, 2)
    assert (state.outcome, state.end, state.ongoing) == ("RECOVERED/RESOLVED", None, True)
    first = rules.current_state(grade=2, outcome="FATAL", end=None, ongoing=False)
    assert (first.worst_grade, first.outcome, first.ongoing) == (2, "FATAL", False)


def test_pdf_listing_shows_grade_5_fatal_after_a_fatal_follow_up(
    monitor_client, subject, coordinator, tmp_path
):
    ae = _mild_cough(subject, coordinator)
    _fatal_follow_up(ae, coordinator)
    response = monitor_client.get(reverse("safety:safety_listings") + "?download=pdf")
    text = pdf_text(response.content, tmp_path)
    assert "Recovered" not in text
    assert "Fatal" in text
    assert "5 (1)" in text  # worst grade, the initial one beside it
    assert f"{ae.aestdtc.isoformat()} / {(subject.day1 + timedelta(days=3)).isoformat()}" in text


def test_listing_rows_sae_listing_and_summary_count_by_worst_grade(subject, coordinator, monitor):
    _fatal_follow_up(_mild_cough(subject, coordinator), coordinator)
    rows = listings.listing_rows(monitor, listings.ListingFilter())
    [row] = rows
    assert (row.grade, row.outcome) == ("5 (1)", "Fatal")
    assert "5 (1)" in listing_pages(rows)[0]
    summary = listings.summarize(rows)
    assert dict(summary.by_grade)["5 Death"] == 1
    assert dict(summary.by_grade)["1 Mild"] == 0
    assert summary.serious == 1  # the fatal follow-up made it serious
    context = listings.listing_context(
        user=monitor, f=listings.ListingFilter(serious_only=True), generated_by="t", cut_off=None
    )
    assert [(r.grade, r.outcome) for r in context.serious_rows] == [("5 (1)", "Fatal")]


def test_ae_pages_and_the_subject_dashboard_show_the_current_state(
    coordinator_client, subject, coordinator
):
    ae = _fatal_follow_up(_mild_cough(subject, coordinator), coordinator).adverse_event
    end = (subject.day1 + timedelta(days=3)).strftime("%Y-%m-%d")
    for url in (
        reverse("safety:adverse_event_list"),
        reverse("safety:subject_adverse_events", args=[subject.pk]),
        reverse("safety:adverse_event_detail", args=[ae.pk]),
        reverse("portal:subject_dashboard", args=[subject.pk]),
    ):
        html = coordinator_client.get(url).content.decode()
        assert "Fatal" in html, url
        assert "Recovered" not in html, url
        assert end in html, url
    rows = coordinator_client.get(reverse("safety:adverse_event_list")).context["rows"]
    assert [(state.worst_grade, state.initial_grade) for _, _, state in rows] == [(5, 1)]


def test_the_30_day_report_lists_the_current_state(subject, coordinator, tmp_path):
    from safety import reports

    _fatal_follow_up(_mild_cough(subject, coordinator), coordinator)
    report = reports.cumulative_report_queue(site_codes=[subject.site.code])
    report = reports.report_generate(report)
    text = pdf_text(report.file.read(), tmp_path)
    assert "Fatal" in text and "Recovered" not in text
    assert "5 (1)" in text
