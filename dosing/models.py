"""The nebulization log (one record per treatment day) and concomitant medication."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models import Subject
from trial_edc.audit.tracking import audited


@audited()
class DoseAdministration(models.Model):
    class Status(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        INTERRUPTED = "interrupted", _("Interrupted")
        NOT_GIVEN = "not_given", _("Not given")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="doses")
    study_day = models.PositiveSmallIntegerField(_("study day"))
    date = models.DateField(_("date of administration"))
    status = models.CharField(_("administration"), max_length=12, choices=Status.choices)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    stop_time = models.TimeField(_("stop time"), null=True, blank=True)
    volume_ml = models.DecimalField(
        _("volume nebulized (mL)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    particles = models.DecimalField(
        _("particle count"),
        max_digits=20,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("As on the product label, e.g. 2.0e10."),
    )
    device = models.CharField(_("nebulizer device"), max_length=100, blank=True)
    lot = models.CharField(_("product lot"), max_length=50, blank=True)
    reason_not_completed = models.TextField(
        _("reason not completed"), blank=True, help_text=_("Required if interrupted or not given.")
    )
    spo2_pre = models.PositiveSmallIntegerField(
        _("SpO2 before dose (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
    )
    spo2_post = models.PositiveSmallIntegerField(
        _("SpO2 after dose (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
    )
    cough = models.BooleanField(_("cough during or after nebulization"), default=False)
    bronchospasm = models.BooleanField(_("bronchospasm"), default=False)
    desaturation = models.BooleanField(
        _("desaturation (SpO2 fall of 4 points or more)"), default=False
    )
    other_tolerability = models.CharField(
        _("other tolerability finding"), max_length=200, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    site_path = "subject__site"

    class Meta:
        ordering = ["subject", "study_day"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "study_day"], name="one_dose_per_day"),
            # an amount recorded is more than 0, whatever writes (dosing.rules.amount_problems)
            models.CheckConstraint(
                condition=models.Q(volume_ml__isnull=True) | models.Q(volume_ml__gt=0),
                name="dose_volume_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(particles__isnull=True) | models.Q(particles__gt=0),
                name="dose_particles_positive",
            ),
        ]
        verbose_name = _("dose administration")

    def __str__(self) -> str:
        return f"{self.subject} day {self.study_day}"


@audited()
class ConcomitantMedication(models.Model):
    class Category(models.TextChoices):
        CORTICOSTEROID = "corticosteroid", _("Corticosteroid (standard care)")
        IMMUNOSUPPRESSANT = "immunosuppressant", _("Immunosuppressant (standard care)")
        IVIG = "ivig", _("Intravenous immunoglobulin (IVIG)")
        JAK_INHIBITOR = "jak_inhibitor", _("JAK inhibitor (e.g. tofacitinib)")
        BIOLOGIC = "biologic", _("Biologic (e.g. rituximab)")
        ANTIFIBROTIC = "antifibrotic", _("Antifibrotic (e.g. nintedanib, pirfenidone)")
        OTHER = "other", _("Other")

    class Route(models.TextChoices):  # CDISC ROUTE
        ORAL = "ORAL", _("Oral")
        INTRAVENOUS = "INTRAVENOUS", _("Intravenous")
        SUBCUTANEOUS = "SUBCUTANEOUS", _("Subcutaneous")
        INHALATION = "RESPIRATORY (INHALATION)", _("Inhalation")
        TOPICAL = "TOPICAL", _("Topical")
        OTHER = "OTHER", _("Other")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="conmeds")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    drug = models.CharField(_("drug"), max_length=200)
    indication = models.CharField(_("indication"), max_length=200)
    dose = models.DecimalField(_("dose"), max_digits=10, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("e.g. mg, g, mg/m2, IU"))
    route = models.CharField(_("route"), max_length=30, choices=Route.choices)
    frequency = models.CharField(
        _("frequency"), max_length=50, help_text=_("e.g. once daily, q12h")
    )
    start_date = models.DateField(_("start date"), help_text=_("May precede enrolment."))
    stop_date = models.DateField(_("stop date"), null=True, blank=True)
    ongoing = models.BooleanField(_("ongoing"), default=False)

    site_path = "subject__site"

    class Meta:
        ordering = ["subject", "start_date", "id"]
        verbose_name = _("concomitant medication")
        # dosing.rules.conmed_dose_problems, whatever writes
        constraints = [
            models.CheckConstraint(condition=models.Q(dose__gt=0), name="conmed_dose_positive")
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.dose} {self.unit}"
