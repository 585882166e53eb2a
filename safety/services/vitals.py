"""Recording vital signs: impossible values refused, abnormal ones saved and flagged."""

from enrollment.models import Subject
from enrollment.schedule.services import check_accepts
from safety import rules
from safety.models import VitalSigns
from trial_edc.accounts.permissions import require_change
from trial_edc.audit.services import audited_save
from trial_edc.core.clock import site_today, study_day
from trial_edc.core.problems import refuse
from trial_edc.core.transactions import service_transaction


@service_transaction
def vitals_record(*, vitals: VitalSigns, user, reason: str = "") -> VitalSigns:
    # the subject the view read (scoped to the user's sites, with its site) if it gave it,
    # else read here: once per request either way
    if VitalSigns.subject.is_cached(vitals) and vitals.subject.pk == vitals.subject_id:
        subject = vitals.subject
    else:
        subject = Subject.objects.select_related("site").get(pk=vitals.subject_id)
    require_change(user, vitals, subject.site)
    refuse(rules.vital_problems(vitals.values()))
    check_accepts(subject, vitals.measured_at, "measured_at")
    vitals.study_day = study_day(subject.day1, site_today(subject.site, vitals.measured_at))
    if vitals.recorded_by_id is None:
        vitals.recorded_by = user
    audited_save(instance=vitals, user=user, reason=reason)
    return vitals
