"""Screening, eligibility checklist, consent, subjects and their visit schedule.

CRF wording lives on the fields (verbose_name = the question, help_text = the guidance); the
criteria columns of the checklist are made from the study configuration, word for word.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from enrollment.rules import criterion_failure_text
from trial_edc.accounts.models import Site
from trial_edc.audit.tracking import audited
from trial_edc.core.transitions import Transitions
from trial_edc.study import study


class Sex(models.TextChoices):  # CDISC SEX
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class TestResult(models.TextChoices):
    POSITIVE = "POS", _("Positive")
    NEGATIVE = "NEG", _("Negative")


class SiteSequence(models.Model):
    """The last number given per site and kind; locked while the next one is taken, so
    numbers are unique and gap-free even when two people enrol at once."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT)
    kind = models.CharField(max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "kind"], name="one_sequence")]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.site.code} {self.kind} {self.last}"


@audited()
class Screening(models.Model):
    class Status(models.TextChoices):
        IN_SCREENING = "in_screening", _("In screening")
        ELIGIBLE = "eligible", _("Eligible")
        SCREEN_FAILURE = "screen_failure", _("Screen failure")
        ENROLLED = "enrolled", _("Enrolled")
        WITHDRAWN = "withdrawn", _("Withdrawn before treatment")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="screenings")
    screening_number = models.CharField(_("screening number"), max_length=20, unique=True)
    initials = models.CharField(
        _("initials"),
        max_length=4,
        help_text=_("2 to 4 letters, no full name (the EDC holds no direct identifiers)."),
    )
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    childbearing_potential = models.BooleanField(
        _("woman of child-bearing potential"),
        default=False,
        help_text=_("If yes, a pregnancy test result is required."),
    )
    screening_date = models.DateField(_("screening date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_SCREENING
    )
    failed_criteria = models.JSONField(
        _("failed criteria"), default=list, blank=True, help_text=_("Kept for the screening log.")
    )
    rescreen_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rescreened_as",
        verbose_name=_("re-screening of"),
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    site_path = "site"

    class Meta:
        ordering = ["-screening_date", "-id"]
        verbose_name = _("screening")
        permissions = [("confirm_eligibility", "Confirm eligibility (investigator)")]

    def __str__(self) -> str:
        return f"{self.screening_number} {self.initials}"

    @property
    def failed_criteria_texts(self) -> list[str]:
        """Each failed criterion in the reader's language (kept text for the age, which
        names it)."""
        return [criterion_failure_text(f["code"]) or f["text"] for f in self.failed_criteria]


class EligibilityChecklist(models.Model):
    """The checklist with its evidence; one per screening."""

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="checklist")
    anti_mda5_result = models.CharField(
        _("anti-MDA5 antibody result"), max_length=3, choices=TestResult.choices
    )
    anti_mda5_method = models.CharField(
        _("anti-MDA5 assay"), max_length=100, help_text=_("E.g. line immunoblot, ELISA.")
    )
    anti_mda5_titre = models.CharField(
        _("anti-MDA5 titre"), max_length=50, blank=True, help_text=_("If the lab reports one.")
    )
    anti_mda5_date = models.DateField(_("anti-MDA5 test date"))
    symptom_onset_date = models.DateField(_("date of respiratory symptom onset"))
    hrct_date = models.DateField(_("HRCT date"))
    hrct_finding = models.TextField(_("HRCT finding supporting RP-ILD"))
    worst_pf_ratio = models.PositiveIntegerField(_("worst PaO2/FiO2 (mmHg)"), null=True, blank=True)
    pregnancy_test_date = models.DateField(_("pregnancy test date"), null=True, blank=True)
    pregnancy_test_result = models.CharField(
        _("pregnancy test result"), max_length=3, choices=TestResult.choices, blank=True
    )
    onset_confirmed_by_investigator = models.BooleanField(
        _("investigator confirms the RP-ILD criteria are met despite the onset date"),
        default=False,
        help_text=format_lazy(
            _("Needed when symptoms began more than {months} months before screening."),
            months=study().rp_ild_onset_months,
        ),
    )
    onset_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("onset confirmed by"),
    )

    site_path = "screening__site"

    class Meta:
        verbose_name = _("eligibility checklist")

    def __str__(self) -> str:
        return f"checklist {self.screening.screening_number}"

    def answers(self, kind: str) -> dict[int, bool | None]:
        criteria = study().inclusion if kind == "inclusion" else study().exclusion
        return {c.number: getattr(self, f"{kind}_{c.number}") for c in criteria}


def _criterion_question(kind: str, number: int, text: str) -> models.BooleanField:
    label = _("Inclusion") if kind == "inclusion" else _("Exclusion")
    # lazy: the question in the language of whoever reads it
    return models.BooleanField(format_lazy("{} {}. {}", label, number, text), null=True)


# The criteria columns, made from the configuration (a new criterion is a new migration).
for _kind, _criteria in (("inclusion", study().inclusion), ("exclusion", study().exclusion)):
    for _c in _criteria:
        EligibilityChecklist.add_to_class(
            f"{_kind}_{_c.number}", _criterion_question(_kind, _c.number, _c.label)
        )
# tracked once every column exists, so the history holds the answers too
audited()(EligibilityChecklist)


@audited()
class Consent(models.Model):
    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="consent")
    version = models.CharField(_("consent form version"), max_length=50)
    signed_at = models.DateTimeField(_("date and time signed"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consent taken by"),
    )

    site_path = "screening__site"

    class Meta:
        verbose_name = _("informed consent")

    def __str__(self) -> str:
        return f"consent {self.screening.screening_number} v{self.version}"


@audited()
class EligibilityDeviation(models.Model):
    """An enrolled subject whose screening, once corrected, no longer meets eligibility: a
    protocol deviation flagged for the investigator, who reviews it (the record stays)."""

    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, related_name="eligibility_deviations"
    )
    problems = models.JSONField(
        _("criteria not met"), default=list, help_text=_("As the correction left them.")
    )
    correction_reason = models.TextField(_("reason for the correction"))
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("correction made by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_note = models.TextField(
        _("investigator's assessment"),
        blank=True,
        help_text=_("What the deviation means for the subject and what was done about it."),
    )

    site_path = "screening__site"

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("eligibility deviation")

    def __str__(self) -> str:
        return f"eligibility deviation {self.screening.screening_number}"


@audited()
class Subject(models.Model):
    class Status(models.TextChoices):
        ON_STUDY = "on_study", _("On study")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DIED = "died", _("Died")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="subjects")
    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="subject")
    subject_number = models.CharField(_("subject number"), max_length=20, unique=True)
    day1 = models.DateField(
        _("day 1 (first dose date)"), help_text=_("Planned first dose; study days count from it.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ON_STUDY
    )
    enrolled_on = models.DateField(
        _("enrolment date"),
        default=timezone.localdate,
        help_text=_("The day the investigator enrolled the subject (no dose before it)."),
    )
    enrolled_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    ended_on = models.DateField(_("end of study date"), null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)
    end_decided_by = models.CharField(
        _("decided by"),
        max_length=100,
        blank=True,
        help_text=_("E.g. the subject, the investigator, the sponsor."),
    )

    site_path = "site"

    class Meta:
        ordering = ["subject_number"]
        verbose_name = _("subject")
        permissions = [("enroll_subject", "Enrol a subject (investigator)")]

    def __str__(self) -> str:
        return self.subject_number


@audited()
class SubjectVisit(models.Model):
    """One visit of a subject's schedule; due/overdue are derived from today (rules)."""

    class Outcome(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="visits")
    code = models.CharField(_("visit"), max_length=20)
    name = models.CharField(_("visit name"), max_length=100)
    order = models.PositiveSmallIntegerField()
    target_date = models.DateField(_("target date"))
    window_start = models.DateField(_("window opens"))
    window_end = models.DateField(_("window closes"))
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PLANNED
    )
    visit_date = models.DateField(_("visit date"), null=True, blank=True)
    # a visit outside its window is allowed, and is a protocol deviation with a reason
    out_of_window = models.BooleanField(_("out of window"), default=False, editable=False)
    deviation_reason = models.TextField(_("reason for the out-of-window visit"), blank=True)
    missed_reason = models.TextField(_("reason the visit was missed"), blank=True)

    site_path = "subject__site"

    class Meta:
        ordering = ["subject", "order"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "code"], name="one_visit_per_code")
        ]
        verbose_name = _("subject visit")

    def __str__(self) -> str:
        return f"{self.subject} {self.code}"

    @property
    def display_name(self) -> str:
        """The visit's name in the reader's language (the study configuration); the stored
        name (as scheduled, English) for a visit no longer configured."""
        configured = next((v for v in study().visits if v.code == self.code), None)
        return configured.name if configured is not None else self.name


# --- allowed status moves (core.transitions), next to their models -----------------------

_S, _SUB, _V = Screening.Status, Subject.Status, SubjectVisit.Outcome

SCREENING_MOVES = Transitions(
    Screening.Status,
    {
        _S.IN_SCREENING: {_S.ELIGIBLE, _S.SCREEN_FAILURE, _S.WITHDRAWN},
        _S.ELIGIBLE: {_S.IN_SCREENING, _S.SCREEN_FAILURE, _S.ENROLLED, _S.WITHDRAWN},
        _S.SCREEN_FAILURE: {_S.IN_SCREENING, _S.ELIGIBLE},
        _S.ENROLLED: set(),
        _S.WITHDRAWN: set(),
    },
    noun=_("A screening"),
)

SUBJECT_MOVES = Transitions(
    Subject.Status,
    {
        _SUB.ON_STUDY: {_SUB.COMPLETED, _SUB.WITHDRAWN, _SUB.DIED},
        _SUB.COMPLETED: set(),
        _SUB.WITHDRAWN: set(),
        _SUB.DIED: {_SUB.ON_STUDY},  # a death recorded in error is reversed
    },
    noun=_("A subject"),
)

VISIT_MOVES = Transitions(
    SubjectVisit.Outcome,
    {
        _V.PLANNED: {_V.DONE, _V.MISSED, _V.NOT_APPLICABLE},
        _V.DONE: {_V.PLANNED},  # a correction leaves a required form missing
        _V.MISSED: {_V.PLANNED},  # marked missed in error
        _V.NOT_APPLICABLE: {_V.PLANNED},  # the end of study that made it so is reversed
    },
    field="outcome",
    noun=_("A visit"),
)


# --- the baseline CRFs of screening (CDASH names as field names) ------------------------
# Sex and date of birth (hence age) are the screening's own; these forms add what Table 1
# and the protocol's screening visit need. Each belongs to its screening (a subject has
# none before enrolment) and reaches the subject enrolled from it (datamanagement.places).


class Ethnic(models.TextChoices):  # CDISC ETHNIC
    HISPANIC = "HISPANIC OR LATINO", _("Hispanic or Latino")
    NOT_HISPANIC = "NOT HISPANIC OR LATINO", _("Not Hispanic or Latino")
    NOT_REPORTED = "NOT REPORTED", _("Not reported")
    UNKNOWN = "UNKNOWN", _("Unknown")


class SmokingStatus(models.TextChoices):  # CDISC SUNCF (tobacco)
    NEVER = "NEVER", _("Never smoked")
    FORMER = "FORMER", _("Former smoker")
    CURRENT = "CURRENT", _("Current smoker")


class NoYesUnknown(models.TextChoices):  # CDISC NY
    YES = "Y", _("Yes")
    NO = "N", _("No")
    UNKNOWN = "U", _("Unknown")


@audited()
class Demographics(models.Model):
    """CDASH DM (ETHNIC) with height, weight and BMI (VS test codes) and tobacco use (SUNCF).
    BMI is computed on save (enrollment.baseline.rules.bmi), never typed."""

    screening = models.OneToOneField(
        Screening, on_delete=models.PROTECT, related_name="demographics"
    )
    ethnic = models.CharField(_("ethnicity"), max_length=30, choices=Ethnic.choices)
    height = models.DecimalField(_("height (cm)"), max_digits=4, decimal_places=1)
    weight = models.DecimalField(_("weight (kg)"), max_digits=4, decimal_places=1)
    bmi = models.DecimalField(
        _("body mass index (kg/m²)"), max_digits=4, decimal_places=1, editable=False
    )
    suncf = models.CharField(_("smoking status"), max_length=10, choices=SmokingStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    site_path = "screening__site"

    class Meta:
        verbose_name = _("demographics")
        verbose_name_plural = _("demographics")

    def __str__(self) -> str:
        return f"demographics {self.screening.screening_number}"


OTHER_CONDITION = "OTHER"  # a medical history term typed, not picked from the list


def _history_conditions() -> list[tuple[str, str]]:
    return [(c.code, c.term) for c in study().baseline.history_conditions] + [
        (OTHER_CONDITION, _("Other (type the term)"))
    ]


@audited()
class MedicalHistory(models.Model):
    """CDASH MH: one condition, with the conditions the exclusion criteria ask about offered
    first (mhpresp: pre-specified); start and end as ISO 8601 dates, partial allowed
    (YYYY, YYYY-MM or YYYY-MM-DD)."""

    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, related_name="medical_history"
    )
    condition = models.CharField(
        _("condition"),
        max_length=30,
        choices=_history_conditions(),
        help_text=_("The conditions the exclusion criteria ask about first; else Other."),
    )
    mhterm = models.CharField(
        _("medical history term"),
        max_length=200,
        blank=True,
        help_text=_("Required for Other; otherwise the condition's name is recorded."),
    )
    mhstdtc = models.CharField(
        _("start date"),
        max_length=10,
        blank=True,
        help_text=_("YYYY-MM-DD, or YYYY-MM or YYYY if the day or month is not known."),
    )
    mhongo = models.BooleanField(_("ongoing"), default=False)
    mhendtc = models.CharField(
        _("end date"),
        max_length=10,
        blank=True,
        help_text=_("YYYY-MM-DD, YYYY-MM or YYYY; empty if ongoing."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    site_path = "screening__site"

    class Meta:
        ordering = ["screening", "id"]
        verbose_name = _("medical history")
        verbose_name_plural = _("medical history")

    def __str__(self) -> str:
        return f"{self.screening.screening_number} {self.mhterm}"

    @property
    def mhpresp(self) -> bool:
        """Pre-specified (picked from the list) rather than typed."""
        return self.condition != OTHER_CONDITION


@audited()
class DiseaseHistory(models.Model):
    """Dermatomyositis and ILD history: dates of diagnosis, skin signs, muscle weakness and
    the creatine kinase at diagnosis (with its unit; converted like the visit labs)."""

    screening = models.OneToOneField(
        Screening, on_delete=models.PROTECT, related_name="disease_history"
    )
    dm_diagnosed_on = models.DateField(_("date of dermatomyositis diagnosis"))
    ild_diagnosed_on = models.DateField(_("date of ILD diagnosis"))
    gottron = models.CharField(
        _("Gottron's papules or sign"), max_length=1, choices=NoYesUnknown.choices
    )
    heliotrope = models.CharField(_("heliotrope rash"), max_length=1, choices=NoYesUnknown.choices)
    mechanics_hands = models.CharField(
        _("mechanic's hands"), max_length=1, choices=NoYesUnknown.choices
    )
    skin_ulcers = models.CharField(_("skin ulcers"), max_length=1, choices=NoYesUnknown.choices)
    muscle_weakness = models.CharField(
        _("muscle weakness"), max_length=1, choices=NoYesUnknown.choices
    )
    ck_at_diagnosis = models.DecimalField(
        _("creatine kinase at diagnosis"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("As reported, with its unit; empty if not known."),
    )
    ck_unit = models.CharField(
        _("unit of creatine kinase"),
        max_length=20,
        blank=True,
        choices=[(u, u) for u in study().lab("CK").units],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    site_path = "screening__site"

    class Meta:
        verbose_name = _("dermatomyositis and ILD history")
        verbose_name_plural = _("dermatomyositis and ILD history")

    def __str__(self) -> str:
        return f"disease history {self.screening.screening_number}"
