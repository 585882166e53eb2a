"""The efficacy set of a visit: oxygenation (blood gas), pulmonary function, laboratory /
serology and the chest HRCT score, and the follow-up status of months 3, 6 and 12. Every
derived number (ratios, converted values, flags, HRCT totals) is computed by efficacy.rules."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models import Subject, SubjectVisit
from safety.models import OxygenSupport
from trial_edc.audit.tracking import audited
from trial_edc.study import study


@audited()
class BloodGas(models.Model):
    """Arterial blood gas. PaO2/FiO2 and SpO2/FiO2 are computed, never typed."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="blood_gases")
    visit = models.ForeignKey(
        SubjectVisit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blood_gases",
        help_text=_("The visit whose oxygenation this is; empty for a treatment-day gas."),
    )
    sampled_at = models.DateTimeField(_("date and time sampled"))
    study_day = models.SmallIntegerField(_("study day"), editable=False)
    pao2 = models.DecimalField(_("PaO2 (mmHg)"), max_digits=5, decimal_places=1)
    paco2 = models.DecimalField(
        _("PaCO2 (mmHg)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    ph = models.DecimalField(_("pH"), max_digits=4, decimal_places=2, null=True, blank=True)
    fio2 = models.DecimalField(_("FiO2 (fraction)"), max_digits=3, decimal_places=2)
    spo2 = models.PositiveSmallIntegerField(_("SpO2 (%)"), null=True, blank=True)
    oxygen_support = models.CharField(
        _("oxygen support"), max_length=20, choices=OxygenSupport.choices
    )
    pf_ratio = models.DecimalField(
        _("PaO2/FiO2 (mmHg)"), max_digits=5, decimal_places=0, editable=False
    )
    sf_ratio = models.DecimalField(
        _("SpO2/FiO2"), max_digits=5, decimal_places=0, null=True, blank=True, editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    site_path = "subject__site"

    class Meta:
        ordering = ["subject", "sampled_at"]
        verbose_name = _("arterial blood gas")
        # PaO2 and FiO2 of 0 or less are impossible whatever writes (efficacy.rules.
        # blood_gas_problems gives the configured limits next to the field)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pao2__gt=0) & models.Q(fio2__gt=0), name="blood_gas_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ABG day {self.study_day}"


class NotDoneReason(models.TextChoices):
    UNABLE = "unable", _("Subject unable to perform")
    UNSTABLE = "unstable", _("Clinically unstable")
    EQUIPMENT = "equipment", _("Equipment unavailable")
    OTHER = "other", _("Other")


class ReferenceEquation(models.TextChoices):
    GLI = "GLI", _("GLI (Global Lung Function Initiative)")
    ECSC = "ECSC", _("ECSC/ERS 1993")
    NHANES = "NHANES", _("NHANES III")
    CHINESE = "CHINESE", _("Chinese national reference (Jian 2017)")
    OTHER = "OTHER", _("Other")


class VisitRecord(models.Model):
    """A form of one visit (each subclass has its one-to-one `visit`)."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    site_path = "visit__subject__site"

    class Meta:
        abstract = True


class NotDoneRecord(VisitRecord):
    """An assessment that may be "not done", with the reason (PFT and HRCT)."""

    done = models.BooleanField(_("performed"), default=True)
    not_done_reason = models.CharField(
        _("reason not done"), max_length=20, choices=NotDoneReason.choices, blank=True
    )
    not_done_detail = models.CharField(_("details"), max_length=200, blank=True)

    class Meta:
        abstract = True


@audited()
class PulmonaryFunctionTest(NotDoneRecord):
    """Spirometry and diffusing capacity, or why it was not done (often, in RP-ILD)."""

    visit = models.OneToOneField(SubjectVisit, on_delete=models.PROTECT, related_name="pft")
    performed_on = models.DateField(_("test date"), null=True, blank=True)
    fvc_litres = models.DecimalField(
        _("FVC (L)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    fvc_percent_predicted = models.DecimalField(
        _("FVC (% predicted)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    dlco_percent_predicted = models.DecimalField(
        _("DLCO (% predicted)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    reference_equation = models.CharField(
        _("reference equations"), max_length=20, choices=ReferenceEquation.choices, blank=True
    )

    class Meta:
        verbose_name = _("pulmonary function test")

    def __str__(self) -> str:
        return f"{self.visit} PFT"


@audited()
class LabPanel(VisitRecord):
    """The laboratory / serology sample of a visit; one LabResult per test reported."""

    visit = models.OneToOneField(SubjectVisit, on_delete=models.PROTECT, related_name="lab_panel")
    sampled_on = models.DateField(_("sample date"))

    class Meta:
        verbose_name = _("laboratory panel")

    def __str__(self) -> str:
        return f"{self.visit} labs"


class LabFlag(models.TextChoices):
    LOW = "L", _("Low")
    HIGH = "H", _("High")
    NORMAL = "", _("Within range")


@audited()
class LabResult(models.Model):
    """One result as reported (value, unit, reference range) and in the configured unit."""

    panel = models.ForeignKey(LabPanel, on_delete=models.PROTECT, related_name="results")
    test_code = models.CharField(_("test"), max_length=20)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20)
    reference_low = models.DecimalField(
        _("reference low"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    reference_high = models.DecimalField(
        _("reference high"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    value_standard = models.DecimalField(
        _("value in the study unit"), max_digits=14, decimal_places=3, editable=False
    )
    flag = models.CharField(
        _("flag"), max_length=1, choices=LabFlag.choices, blank=True, editable=False
    )

    site_path = "panel__visit__subject__site"

    class Meta:
        ordering = ["panel", "test_code"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "test_code"], name="one_result_per_test")
        ]
        verbose_name = _("laboratory result")

    def __str__(self) -> str:
        return f"{self.panel.visit} {self.test_code}"


def _zone_score(kind: str, number: int) -> models.PositiveSmallIntegerField:
    # the form labels each score with its zone's configured name (study().hrct_zones)
    label = "ground-glass" if kind == "ggo" else "fibrosis"
    return models.PositiveSmallIntegerField(f"{label}, zone {number}", null=True, blank=True)


class HrctScore(NotDoneRecord):
    """Semi-quantitative HRCT score per configured zone (Kazerooni-style, 0 to
    `study().hrct_score_max` each); totals computed. The zone columns are added below."""

    visit = models.OneToOneField(SubjectVisit, on_delete=models.PROTECT, related_name="hrct")
    scanned_on = models.DateField(_("scan date"), null=True, blank=True)
    reader = models.CharField(_("reader"), max_length=100, blank=True)
    ggo_total = models.PositiveSmallIntegerField(
        _("ground-glass total"), null=True, blank=True, editable=False
    )
    fibrosis_total = models.PositiveSmallIntegerField(
        _("fibrosis total"), null=True, blank=True, editable=False
    )
    total = models.PositiveSmallIntegerField(_("HRCT total"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("HRCT score")

    def __str__(self) -> str:
        return f"{self.visit} HRCT"

    def zone_scores(self) -> dict[int, tuple[int | None, int | None]]:
        return {n: (getattr(self, f"ggo_{n}"), getattr(self, f"fib_{n}")) for n in hrct_zones()}


def hrct_zones() -> range:
    """The zone numbers, 1..n, of the configured HRCT zones."""
    return range(1, len(study().hrct_zones) + 1)


# The zone columns, made from the configuration (another zone count is a new migration);
# tracked once every column exists, so the history holds the scores too.
for _n in hrct_zones():
    HrctScore.add_to_class(f"ggo_{_n}", _zone_score("ggo", _n))
    HrctScore.add_to_class(f"fib_{_n}", _zone_score("fib", _n))
audited()(HrctScore)


class VitalStatus(models.TextChoices):
    ALIVE = "alive", _("Alive")
    DEAD = "dead", _("Dead")


@audited()
class FollowUpStatus(VisitRecord):
    """Survival and course since the last visit (months 3, 6 and 12)."""

    visit = models.OneToOneField(SubjectVisit, on_delete=models.PROTECT, related_name="follow_up")
    assessed_on = models.DateField(_("date of contact"))
    vital_status = models.CharField(_("vital status"), max_length=10, choices=VitalStatus.choices)
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    death_cause = models.CharField(_("cause of death"), max_length=200, blank=True)
    hospitalised = models.BooleanField(_("hospitalised since the last visit"), default=False)
    home_oxygen = models.BooleanField(_("oxygen at home"), default=False)
    lung_transplant = models.BooleanField(_("lung transplant since the last visit"), default=False)
    immunosuppression = models.CharField(
        _("current immunosuppression"),
        max_length=300,
        blank=True,
        help_text=_("Drugs and doses, e.g. prednisone 20 mg/day, tacrolimus 2 mg/day."),
    )

    class Meta:
        verbose_name = _("follow-up status")

    def __str__(self) -> str:
        return f"{self.visit} follow-up"
