"""Recording blood gases: PaO2/FiO2 and SpO2/FiO2 computed here, from converted units."""

from django.core.exceptions import ValidationError
from django.db import transaction

from efficacy import rules
from efficacy.models import BloodGas
from enrollment.models import Subject
from enrollment.rules import problems_as_errors, study_day
from enrollment.services import site_date
from safety.services import check_subject_accepts
from trial_edc.audit.services import audited_save


@transaction.atomic
def blood_gas_record(*, gas: BloodGas, user, reason: str = "") -> BloodGas:
    """Save a blood gas whose PaO2 is in mmHg and FiO2 a fraction (forms convert)."""
    subject = Subject.objects.select_related("site").get(pk=gas.subject_id)
    problems = rules.blood_gas_problems(
        pao2_mmhg=gas.pao2, paco2=gas.paco2, ph=gas.ph, fio2=gas.fio2, spo2=gas.spo2
    )
    if problems:
        raise ValidationError(problems_as_errors(problems))
    check_subject_accepts(subject, gas.sampled_at, "sampled_at")
    gas.study_day = study_day(subject.day1, site_date(subject.site, gas.sampled_at))
    gas.pf_ratio = rules.pf_ratio(gas.pao2, gas.fio2)
    gas.sf_ratio = rules.sf_ratio(gas.spo2, gas.fio2)
    if gas.recorded_by_id is None:
        gas.recorded_by = user
    audited_save(instance=gas, user=user, reason=reason)
    return gas
