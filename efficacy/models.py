"""Oxygenation (arterial blood gas); later the efficacy set of each visit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models import Subject
from safety.models import OxygenSupport
from trial_edc.audit.tracking import audited


@audited()
class BloodGas(models.Model):
    """Arterial blood gas. PaO2/FiO2 and SpO2/FiO2 are computed, never typed."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="blood_gases")
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

    def __str__(self) -> str:
        return f"{self.subject} ABG day {self.study_day}"
