"""Saving the baseline CRFs of a screening: permission and site checked, the rules run again,
derived values computed, the audit entry written in the same transaction."""

from enrollment.baseline import rules
from enrollment.models import Demographics, DiseaseHistory, MedicalHistory, Screening
from trial_edc.accounts.permissions import require_change
from trial_edc.audit.services import audited_save
from trial_edc.core.clock import site_today
from trial_edc.core.problems import refuse
from trial_edc.core.transactions import service_transaction
from trial_edc.study import study


def latest_diagnosis_date(screening: Screening) -> tuple:
    """The last date a diagnosis may have (the screening date, or the consent date if it is
    earlier), and the site's today."""
    today = site_today(screening.site)
    latest = min(screening.screening_date, today)
    consent = getattr(screening, "consent", None)
    if consent is not None:
        latest = min(latest, site_today(screening.site, consent.signed_at))
    return latest, today


def _screening(record) -> Screening:
    return Screening.objects.select_related("site").get(pk=record.screening_id)


@service_transaction
def demographics_save(*, demographics: Demographics, user, reason: str = "") -> None:
    screening = _screening(demographics)
    require_change(user, demographics, screening.site)
    refuse(rules.demographics_problems(height=demographics.height, weight=demographics.weight))
    demographics.bmi = rules.bmi(demographics.height, demographics.weight)
    if demographics.recorded_by_id is None:
        demographics.recorded_by = user
    audited_save(instance=demographics, user=user, reason=reason)


@service_transaction
def medical_history_save(*, entry: MedicalHistory, user, reason: str = "") -> None:
    screening = _screening(entry)
    require_change(user, entry, screening.site)
    refuse(
        rules.history_problems(
            condition=entry.condition,
            term=entry.mhterm,
            start=entry.mhstdtc,
            end=entry.mhendtc,
            ongoing=entry.mhongo,
            today=site_today(screening.site),
            born=screening.date_of_birth,
        )
    )
    if entry.condition != rules.OTHER_CONDITION:
        picked = {c.code: c.term for c in study().baseline.history_conditions}
        entry.mhterm = picked[entry.condition]
    if entry.recorded_by_id is None:
        entry.recorded_by = user
    audited_save(instance=entry, user=user, reason=reason)


@service_transaction
def disease_history_save(*, history: DiseaseHistory, user, reason: str = "") -> None:
    screening = _screening(history)
    require_change(user, history, screening.site)
    latest, _today = latest_diagnosis_date(screening)
    refuse(
        rules.disease_history_problems(
            dm_on=history.dm_diagnosed_on,
            ild_on=history.ild_diagnosed_on,
            born=screening.date_of_birth,
            latest=latest,
            ck=history.ck_at_diagnosis,
            ck_unit=history.ck_unit,
        )
    )
    if history.recorded_by_id is None:
        history.recorded_by = user
    audited_save(instance=history, user=user, reason=reason)
