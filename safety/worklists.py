"""Safety's lines of the home-page worklists: today's vital signs still to enter
(coordinators), adverse events to sign, SAE clocks running and laboratory values proposed as
adverse events (investigators); registered in safety.registry. The investigators' three are
read together, in one query (`_safety_work`)."""

from django.db.models import CharField, DateField, DateTimeField, F, IntegerField, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.schedule.selectors import in_treatment_today
from safety.models import AdverseEvent, LabSignal, SeriousAdverseEventReport
from safety.selectors import open_sae_reports, sae_deadline
from safety.services.signatures import to_sign
from trial_edc.accounts.access import request_memo
from trial_edc.accounts.selectors import scope_to_sites
from trial_edc.core.clock import treatment_study_day
from trial_edc.core.registry import WorkItem

_COLUMNS = ("kind", "ae", "subject", "site", "term", "since", "grade", "on", "detail", "k1", "k2")


def vitals_today(user) -> list[WorkItem]:
    """Subjects in treatment today at their site with no vital signs for today: what
    `safety.selectors.without_vitals_today` finds, from the subjects the home page reads once
    (`subjects_of`, with `vitals_facts`)."""
    items = []
    for subject, day in in_treatment_today(user):
        study_day = treatment_study_day(subject.day1, day.today)
        if study_day in subject.vitals_days:
            continue
        items.append(
            WorkItem(
                _("%(subject)s: today's vital signs (day %(day)d)")
                % {"subject": subject, "day": study_day},
                reverse("portal:treatment_day", args=[subject.pk, study_day]),
                site=day.site.code,
            )
        )
    return items


def _none(field):
    """A typed NULL (an untyped one in two branches of the union would be text)."""
    return Cast(Value(None), field)


def _safety_work(user) -> dict[str, list[dict]]:
    """The AEs to sign, the SAE clocks running and the open laboratory AE proposals of the
    user's sites: one query (UNION ALL), once per request; rows by kind, each in its order
    (AEs and proposals by subject number, SAE reports as opened)."""

    def read() -> dict[str, list[dict]]:
        aes = to_sign(scope_to_sites(AdverseEvent.objects.all(), user, "subject__site"))
        sign = aes.annotate(
            kind=Value("sign"),
            ae=F("pk"),
            number=F("subject__subject_number"),
            site_code=F("subject__site__code"),
            term=F("aeterm"),
            since=_none(DateTimeField()),
            proposed=_none(IntegerField()),
            on=_none(DateField()),
            detail=Value("", output_field=CharField()),
            k1=F("subject__subject_number"),
            k2=F("pk"),
        )
        reports = scope_to_sites(open_sae_reports(), user, "adverse_event__subject__site")
        clocks = reports.annotate(
            kind=Value("sae"),
            ae=F("adverse_event_id"),
            number=F("adverse_event__subject__subject_number"),
            site_code=F("adverse_event__subject__site__code"),
            term=F("adverse_event__aeterm"),
            since=F("serious_since"),
            proposed=_none(IntegerField()),
            on=_none(DateField()),
            detail=Value("", output_field=CharField()),
            k1=Value("", output_field=CharField()),
            k2=F("pk"),
        )
        signals = scope_to_sites(
            LabSignal.objects.filter(status=LabSignal.Status.OPEN), user, "subject__site"
        )
        proposals = signals.annotate(
            kind=Value("lab"),
            ae=_none(IntegerField()),
            number=F("subject__subject_number"),
            site_code=F("subject__site__code"),
            term=Coalesce(F("ctcae_term__term"), F("test_code")),
            since=_none(DateTimeField()),
            proposed=F("grade"),
            on=F("specimen_on"),
            detail=F("explanation"),
            k1=F("subject__subject_number"),
            k2=F("pk"),
        )
        names = ("kind", "ae", "number", "site_code", "term", "since", "proposed", "on")
        names += ("detail", "k1", "k2")
        rows = (
            sign.values_list(*names)
            .union(clocks.values_list(*names), proposals.values_list(*names), all=True)
            .order_by("kind", "k1", "on", "k2")
        )
        found: dict[str, list[dict]] = {"sign": [], "sae": [], "lab": []}
        for row in rows:
            found[row[0]].append(dict(zip(_COLUMNS, row, strict=True)))
        return found

    return request_memo(user, "safety_work", read)


def adverse_events_to_sign(user) -> list[WorkItem]:
    return [
        WorkItem(
            _("%(subject)s: sign %(term)s") % {"subject": r["subject"], "term": r["term"]},
            reverse("safety:adverse_event_detail", args=[r["ae"]]),
            site=r["site"],
        )
        for r in _safety_work(user)["sign"]
    ]


def sae_clocks(user) -> list[WorkItem]:
    now = timezone.now()
    items = []
    for r in _safety_work(user)["sae"]:
        deadline = sae_deadline(SeriousAdverseEventReport(serious_since=r["since"]))
        items.append(
            WorkItem(
                _("%(subject)s: report the SAE %(term)s to the sponsor")
                % {"subject": r["subject"], "term": r["term"]},
                reverse("safety:adverse_event_detail", args=[r["ae"]]),
                site=r["site"],
                detail=(
                    _("overdue")
                    if deadline < now
                    else _("due %(at)s")
                    % {"at": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}
                ),
            )
        )
    return items


def lab_ae_proposals(user) -> list[WorkItem]:
    """Laboratory values at grade 3 or more, or risen 2 grades from baseline, for the
    investigator to confirm as an AE or not."""
    return [
        WorkItem(
            _("%(subject)s: %(term)s grade %(grade)d on %(on)s — an adverse event?")
            % {
                "subject": r["subject"],
                "term": r["term"],
                "grade": r["grade"],
                "on": r["on"].isoformat(),
            },
            reverse("safety:lab_signals"),
            site=r["site"],
            detail=r["detail"],
        )
        for r in _safety_work(user)["lab"]
    ]
