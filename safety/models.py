"""Daily vital signs (CDASH VS test codes as field names)."""

from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from enrollment.models import Subject
from safety.ctcae import with_chinese
from trial_edc.audit.tracking import audited
from trial_edc.core.transitions import Transitions
from trial_edc.study import study


class OxygenSupport(models.TextChoices):
    ROOM_AIR = "ROOM_AIR", _("Room air")
    NASAL_CANNULA = "NASAL_CANNULA", _("Nasal cannula")
    MASK = "MASK", _("Face mask")
    HFNC = "HFNC", _("High-flow nasal cannula")
    NIV = "NIV", _("Non-invasive ventilation")
    INVASIVE = "INVASIVE", _("Invasive ventilation (intubated)")


@audited()
class VitalSigns(models.Model):
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="vitals")
    measured_at = models.DateTimeField(_("date and time measured"))
    study_day = models.SmallIntegerField(_("study day"), editable=False)
    temp = models.DecimalField(
        _("temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    hr = models.PositiveSmallIntegerField(_("heart rate (beats/min)"), null=True, blank=True)
    resp = models.PositiveSmallIntegerField(
        _("respiratory rate (breaths/min)"), null=True, blank=True
    )
    sysbp = models.PositiveSmallIntegerField(_("systolic BP (mmHg)"), null=True, blank=True)
    diabp = models.PositiveSmallIntegerField(_("diastolic BP (mmHg)"), null=True, blank=True)
    oxysat = models.PositiveSmallIntegerField(_("SpO2 (%)"), null=True, blank=True)
    oxygen_support = models.CharField(
        _("oxygen support"), max_length=20, choices=OxygenSupport.choices, default="ROOM_AIR"
    )
    flow = models.DecimalField(
        _("oxygen flow (L/min)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    fio2 = models.DecimalField(
        _("FiO2 (fraction)"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=format_lazy(
            _("{low} to {high}; on room air {low}."),
            low=study().fio2_range.low,
            high=study().fio2_range.high,
        ),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    site_path = "subject__site"

    class Meta:
        ordering = ["subject", "measured_at"]
        verbose_name = _("vital signs")
        verbose_name_plural = _("vital signs")
        indexes = [models.Index(fields=["subject", "study_day"])]

    def __str__(self) -> str:
        return f"{self.subject} vitals day {self.study_day}"

    def values(self) -> dict:
        return {
            f: getattr(self, f)
            for f in (
                "temp",
                "hr",
                "resp",
                "sysbp",
                "diabp",
                "oxysat",
                "oxygen_support",
                "flow",
                "fio2",
            )
        }

    @property
    def flags(self) -> dict[str, str]:
        from safety.rules import vital_flags

        return dict(vital_flags(self.values()))


class CtcaeTerm(models.Model):
    """A term of NCI CTCAE v5.0 with its MedDRA SOC and grade definitions (shipped data)."""

    meddra_code = models.PositiveIntegerField(_("MedDRA code"), primary_key=True)
    term = models.CharField(_("CTCAE term"), max_length=200, db_index=True)
    soc = models.CharField(_("system organ class"), max_length=120, db_index=True)
    grade_1 = models.TextField(blank=True)
    grade_2 = models.TextField(blank=True)
    grade_3 = models.TextField(blank=True)
    grade_4 = models.TextField(blank=True)
    grade_5 = models.TextField(blank=True)
    definition = models.TextField(blank=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("CTCAE v5.0 term")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return with_chinese(self.term)  # the English term, a Chinese name beside it

    def grade_definitions(self) -> dict[int, str]:
        """CTCAE v5.0's definition of each grade of the term ("" where the grade does not
        exist for it, e.g. alopecia has grades 1 and 2 only)."""
        return {grade: getattr(self, f"grade_{grade}").strip() for grade in Grade.values}


class Grade(models.IntegerChoices):  # CTCAE grade, AETOXGR
    MILD = 1, _("1 Mild")
    MODERATE = 2, _("2 Moderate")
    SEVERE = 3, _("3 Severe")
    LIFE_THREATENING = 4, _("4 Life-threatening")
    DEATH = 5, _("5 Death")


class Outcome(models.TextChoices):  # CDISC OUT
    RECOVERED = "RECOVERED/RESOLVED", _("Recovered")
    RECOVERING = "RECOVERING/RESOLVING", _("Recovering")
    NOT_RECOVERED = "NOT RECOVERED/NOT RESOLVED", _("Not recovered")
    SEQUELAE = "RECOVERED/RESOLVED WITH SEQUELAE", _("Recovered with sequelae")
    FATAL = "FATAL", _("Fatal")
    UNKNOWN = "UNKNOWN", _("Unknown")


@audited()
class AdverseEvent(models.Model):
    """An adverse event (CDISC CDASH AE names as field names). Study day, treatment-emergence,
    the primary safety window, relatedness and SUSAR candidacy are derived (safety.rules)."""

    class Relationship(models.TextChoices):  # AEREL
        NOT_RELATED = "NOT RELATED", _("Not related")
        UNLIKELY = "UNLIKELY RELATED", _("Unlikely")
        POSSIBLE = "POSSIBLY RELATED", _("Possible")
        PROBABLE = "PROBABLY RELATED", _("Probable")
        DEFINITE = "DEFINITELY RELATED", _("Definite")

    class Action(models.TextChoices):  # AEACN
        NONE = "DOSE NOT CHANGED", _("None")
        INTERRUPTED = "DRUG INTERRUPTED", _("Interrupted")
        WITHDRAWN = "DRUG WITHDRAWN", _("Withdrawn")
        NOT_APPLICABLE = "NOT APPLICABLE", _("Not applicable")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="adverse_events")
    aeterm = models.CharField(_("adverse event term"), max_length=200)
    ctcae_term = models.ForeignKey(
        CtcaeTerm,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("CTCAE v5.0 term"),
        help_text=_("Pick the matching CTCAE term; its system organ class follows."),
    )
    aestdtc = models.DateField(_("onset date"))
    aeendtc = models.DateField(_("end date"), null=True, blank=True)
    ongoing = models.BooleanField(_("ongoing"), default=False)
    aetoxgr = models.PositiveSmallIntegerField(_("CTCAE grade"), choices=Grade.choices)
    aeser = models.BooleanField(_("serious"), default=False)
    aesdth = models.BooleanField(_("results in death"), default=False)
    aeslife = models.BooleanField(_("is life-threatening"), default=False)
    aeshosp = models.BooleanField(_("requires or prolongs hospitalisation"), default=False)
    aesdisab = models.BooleanField(_("persistent or significant disability"), default=False)
    aescong = models.BooleanField(_("congenital anomaly or birth defect"), default=False)
    aesmie = models.BooleanField(_("other important medical event"), default=False)
    aerel = models.CharField(
        _("relationship to MSC-exos-P1"), max_length=20, choices=Relationship.choices
    )
    expected = models.BooleanField(
        _("expected"), default=False, help_text=_("Listed in the investigator's brochure.")
    )
    aeacn = models.CharField(
        _("action taken with study treatment"), max_length=20, choices=Action.choices
    )
    aeout = models.CharField(_("outcome"), max_length=40, choices=Outcome.choices)
    treatment_given = models.TextField(_("treatment given for the event"), blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    site_path = "subject__site"
    SERIOUSNESS_CRITERIA = ("aesdth", "aeslife", "aeshosp", "aesdisab", "aescong", "aesmie")

    class Meta:
        ordering = ["subject", "aestdtc", "id"]
        verbose_name = _("adverse event")
        permissions = [
            ("sign_adverseevent", "Sign an adverse event (investigator)"),
            ("download_listing", "Download safety listings"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.aeterm}"

    @property
    def soc(self) -> str:
        return self.ctcae_term.soc if self.ctcae_term_id else ""

    @property
    def sae_report(self):
        """The SAE report of the AE's latest serious period (None if never serious)."""
        periods = getattr(self, "sae_periods", None)
        if periods is None:
            return self.sae_reports.order_by("serious_since", "id").last()
        return periods[-1] if periods else None


@audited()
class AdverseEventFollowUp(models.Model):
    """A dated update of an AE's grade, outcome and end date, and when the event got worse,
    the investigator's assessment of whether it is now serious (and by which criteria)."""

    adverse_event = models.ForeignKey(
        AdverseEvent, on_delete=models.PROTECT, related_name="follow_ups"
    )
    assessed_on = models.DateField(_("assessed on"))
    aetoxgr = models.PositiveSmallIntegerField(_("CTCAE grade"), choices=Grade.choices)
    aeout = models.CharField(_("outcome"), max_length=40, choices=Outcome.choices)
    aeendtc = models.DateField(_("end date"), null=True, blank=True)
    aeser = models.BooleanField(
        _("serious now"),
        null=True,
        blank=True,
        help_text=_(
            "Needed at grade 4 if the event is not yet serious; a fatal outcome (grade 5) "
            "makes the event serious with the criterion 'results in death'."
        ),
    )
    aesdth = models.BooleanField(_("results in death"), default=False)
    aeslife = models.BooleanField(_("is life-threatening"), default=False)
    aeshosp = models.BooleanField(_("requires or prolongs hospitalisation"), default=False)
    aesdisab = models.BooleanField(_("persistent or significant disability"), default=False)
    aescong = models.BooleanField(_("congenital anomaly or birth defect"), default=False)
    aesmie = models.BooleanField(_("other important medical event"), default=False)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    site_path = "adverse_event__subject__site"

    class Meta:
        ordering = ["adverse_event", "assessed_on", "id"]
        verbose_name = _("adverse event follow-up")

    def __str__(self) -> str:
        return f"{self.adverse_event} follow-up {self.assessed_on}"


@audited(reason_required=False)
class SeriousAdverseEventReport(models.Model):
    """One serious period of an AE and its 24-hour reporting clock: starts when the AE
    becomes serious (saved serious, or made serious by a follow-up); the investigators'
    alert is queued in the outbox in the same transaction, once per period; the clock stops
    when reported to the sponsor. The period ends when the AE is made non-serious; if it
    becomes serious again, a new period starts with its own clock and alert."""

    adverse_event = models.ForeignKey(
        AdverseEvent, on_delete=models.PROTECT, related_name="sae_reports"
    )
    serious_since = models.DateTimeField(_("serious since"))
    ended_at = models.DateTimeField(_("no longer serious since"), null=True, blank=True)
    alert_sent_at = models.DateTimeField(_("investigators alerted at"), null=True, blank=True)
    alert_recipients = models.TextField(_("alert sent to"), blank=True)
    reported_at = models.DateTimeField(_("reported to the sponsor at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )

    site_path = "adverse_event__subject__site"

    class Meta:
        ordering = ["serious_since", "id"]
        verbose_name = _("SAE report")
        permissions = [("report_sae", "Mark an SAE reported to the sponsor (investigator)")]
        constraints = [
            models.UniqueConstraint(
                fields=["adverse_event"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_serious_period_per_ae",
            )
        ]

    def __str__(self) -> str:
        return f"SAE report {self.adverse_event}"


@audited(reason_required=False)
class AdverseEventSignature(models.Model):
    """An investigator's electronic signature of an AE (21 CFR 11.50, 11.70, 11.200).

    Bound to the record by a hash of the signed content and the audit-chain position of its
    last change; voided, never deleted, when the AE or a follow-up changes afterwards."""

    # stored with each signature as signed (English); shown in the reader's language
    MEANING = gettext_noop("I have reviewed this adverse event and confirm the assessment")

    adverse_event = models.ForeignKey(
        AdverseEvent, on_delete=models.PROTECT, related_name="signatures"
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(_("printed name"), max_length=300)
    signed_at = models.DateTimeField(_("signed at (UTC)"))
    meaning = models.CharField(_("meaning of the signature"), max_length=200)
    content_hash = models.CharField(_("hash of the signed content"), max_length=64)
    record_version = models.BigIntegerField(_("record version (audit chain entry)"))
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("why voided"), max_length=200, blank=True)

    site_path = "adverse_event__subject__site"

    class Meta:
        ordering = ["adverse_event", "signed_at"]
        verbose_name = _("adverse event signature")
        constraints = [
            models.UniqueConstraint(
                fields=["adverse_event"],
                condition=models.Q(voided_at__isnull=True),
                name="one_valid_signature_per_ae",
            )
        ]

    def __str__(self) -> str:
        return f"{self.adverse_event} signed by {self.printed_name}"


@audited()
class SubjectDeath(models.Model):
    """The fatal adverse event a subject's death comes from; the date and cause of death are
    the subject's end of study (Subject.ended_on, Subject.end_reason)."""

    subject = models.OneToOneField(Subject, on_delete=models.PROTECT, related_name="death")
    adverse_event = models.ForeignKey(
        AdverseEvent,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("fatal adverse event"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    site_path = "subject__site"

    class Meta:
        verbose_name = _("death")

    def __str__(self) -> str:
        return f"death of {self.subject}"


class SafetyReport(models.Model):
    """A 30-day safety report (PDF) made by a worker: per subject once their window has
    closed (exactly once), or cumulative for a set of sites (on demand and weekly)."""

    class Kind(models.TextChoices):
        SUBJECT = "subject", _("Subject 30-day report")
        CUMULATIVE = "cumulative", _("Cumulative 30-day report")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being generated")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("report"), max_length=12, choices=Kind.choices)
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="safety_reports"
    )
    site_codes = models.CharField(_("sites"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(blank=True)
    file = models.FileField(_("PDF"), upload_to="safety_reports/", blank=True)
    ae_count = models.PositiveIntegerField(_("adverse events"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # when a run took it up (queued, failed, or running past SAFETY_REPORT_STUCK_AFTER: its
    # worker died); a second run finds it claimed and leaves it (safety.rules.report_claimable)
    claimed_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("safety report")
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(kind="subject"),
                name="one_30_day_report_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject or self.site_codes}"

    @property
    def sites(self) -> set[str]:
        return set(filter(None, self.site_codes.split(",")))


# --- allowed status moves (core.transitions) ----------------------------------------------

_R = SafetyReport.Status
SAFETY_REPORT_MOVES = Transitions(
    SafetyReport.Status,
    {
        _R.QUEUED: {_R.RUNNING},
        # RUNNING -> RUNNING (no move) is a stuck run taken over: report_claimable guards it
        _R.RUNNING: {_R.DONE, _R.FAILED},
        _R.FAILED: {_R.RUNNING},  # tried again
        _R.DONE: set(),  # a finished report is kept as it is
    },
    noun=_("A safety report"),
)


# --- the safety laboratory (safety.labs) ------------------------------------------------


@audited()
class LabReferenceRange(models.Model):
    """A reporting laboratory's limits of normal for one test, at one site, from a date on
    (the newest range effective on the specimen date pre-fills the lab form). Managed by the
    data managers; each result keeps the limits it was saved with."""

    site = models.ForeignKey(
        "accounts.Site", on_delete=models.PROTECT, related_name="lab_ranges", verbose_name=_("site")
    )
    test_code = models.CharField(_("test"), max_length=20)
    unit = models.CharField(_("unit"), max_length=20)
    lln = models.DecimalField(
        _("lower limit of normal (LLN)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    uln = models.DecimalField(
        _("upper limit of normal (ULN)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    effective_from = models.DateField(
        _("effective from"), help_text=_("The first specimen date the range applies to.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    site_path = "site"

    class Meta:
        ordering = ["site", "test_code", "-effective_from"]
        verbose_name = _("laboratory reference range")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "test_code", "effective_from"], name="one_range_per_test_and_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.test_code} from {self.effective_from}"


@audited()
class SafetyLabPanel(models.Model):
    """A safety laboratory specimen (haematology and chemistry) of a treatment day or an
    unscheduled visit; one SafetyLabResult per test reported. Grades are computed on reading
    (safety.labs.grading), never stored: a corrected baseline regrades what follows it."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="safety_lab_panels")
    specimen_at = models.DateTimeField(_("specimen date and time"))
    study_day = models.SmallIntegerField(_("study day"), editable=False)
    unscheduled = models.BooleanField(
        _("unscheduled visit"), default=False, help_text=_("Taken outside a treatment day.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    site_path = "subject__site"

    class Meta:
        ordering = ["subject", "specimen_at", "id"]
        verbose_name = _("safety laboratory panel")
        indexes = [models.Index(fields=["subject", "specimen_at"])]

    def __str__(self) -> str:
        return f"{self.subject} safety labs day {self.study_day}"


@audited()
class SafetyLabResult(models.Model):
    """One result as reported — value, unit, the reporting lab's LLN and ULN in that unit —
    and the value in the study unit (`trial_edc.study.LabTest.to_standard`)."""

    panel = models.ForeignKey(SafetyLabPanel, on_delete=models.PROTECT, related_name="results")
    test_code = models.CharField(_("test"), max_length=20)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20)
    lln = models.DecimalField(_("LLN"), max_digits=12, decimal_places=3, null=True, blank=True)
    uln = models.DecimalField(_("ULN"), max_digits=12, decimal_places=3, null=True, blank=True)
    value_si = models.DecimalField(
        _("value in the study unit"), max_digits=14, decimal_places=3, editable=False
    )

    site_path = "panel__subject__site"

    class Meta:
        ordering = ["panel", "test_code"]
        verbose_name = _("safety laboratory result")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "test_code"], name="one_safety_result_per_test"
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} {self.test_code}"


@audited(reason_required=False)
class LabSignal(models.Model):
    """A graded value put to the site's investigators as a possible adverse event (grade 3 or
    more, or a rise of 2 grades from baseline): one per result, kept in line with the result
    by the system (a corrected value updates or closes it); the investigator confirms it as an
    AE (saved through the AE form) or says it is not one, with a reason."""

    class Status(models.TextChoices):
        OPEN = "open", _("To decide")
        CONFIRMED = "confirmed", _("Confirmed as an adverse event")
        NOT_AE = "not_ae", _("Not an adverse event")
        CLOSED = "closed", _("Closed: the corrected value no longer calls for it")

    result = models.OneToOneField(
        SafetyLabResult,
        null=True,
        on_delete=models.SET_NULL,
        related_name="signal",
        verbose_name=_("laboratory result"),
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="lab_signals")
    test_code = models.CharField(_("test"), max_length=20)
    ctcae_term = models.ForeignKey(CtcaeTerm, null=True, on_delete=models.PROTECT, related_name="+")
    specimen_on = models.DateField(_("specimen date"))
    grade = models.PositiveSmallIntegerField(_("proposed grade"))
    baseline_grade = models.PositiveSmallIntegerField(_("baseline grade"), null=True)
    explanation = models.TextField(_("why"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    adverse_event = models.ForeignKey(
        AdverseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="lab_signals"
    )
    reason = models.TextField(_("why not an adverse event"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    site_path = "subject__site"

    class Meta:
        ordering = ["subject", "specimen_on", "id"]
        verbose_name = _("laboratory AE proposal")
        permissions = [
            ("decide_labsignal", "Confirm or dismiss a laboratory AE proposal (investigator)")
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.test_code} grade {self.grade}"


_S = LabSignal.Status
LAB_SIGNAL_MOVES = Transitions(
    LabSignal.Status,
    {
        # decided by an investigator, or closed by the system when a correction removes the
        # reason for it
        _S.OPEN: {_S.CONFIRMED, _S.NOT_AE, _S.CLOSED},
        _S.CLOSED: {_S.OPEN},  # corrected again: the value calls for it once more
        _S.CONFIRMED: set(),  # the AE is on file: it follows the AE from now on
        _S.NOT_AE: set(),
    },
    noun=_("A laboratory AE proposal"),
)
