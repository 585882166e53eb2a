"""Daily vital signs (CDASH VS test codes as field names)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models import Subject
from trial_edc.audit.tracking import audited


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
        help_text=_("0.21 to 1.00; on room air 0.21."),
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
