"""The forms a visit can require (study().visits[...].forms): their label, page and how a
visit query knows, in the same SQL query, which of them are saved."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from efficacy.models import BloodGas, FollowUpStatus, HrctScore, LabPanel, PulmonaryFunctionTest
from efficacy.visit_rules import VISIT_DATE


@dataclass(frozen=True)
class VisitForm:
    key: str
    label: str
    url_name: str
    model: type


VISIT_FORMS = {
    f.key: f
    for f in (
        VisitForm(VISIT_DATE, _("Visit date"), "visit_date_edit", None),
        VisitForm("follow_up", _("Follow-up status"), "follow_up_edit", FollowUpStatus),
        VisitForm("oxygenation", _("Oxygenation (blood gas)"), "visit_blood_gas", BloodGas),
        VisitForm("pft", _("Pulmonary function"), "pft_edit", PulmonaryFunctionTest),
        VisitForm("labs", _("Laboratory / serology"), "lab_panel_edit", LabPanel),
        VisitForm("hrct", _("Chest HRCT score"), "hrct_edit", HrctScore),
    )
}


def with_saved_forms(visits: QuerySet) -> QuerySet:
    """Annotate `saved_<key>` for every visit form: one EXISTS each, no query per visit."""
    return visits.annotate(
        **{
            f"saved_{f.key}": Exists(f.model.objects.filter(visit=OuterRef("pk")))
            for f in VISIT_FORMS.values()
            if f.model is not None
        }
    )


def saved_forms(visit) -> set[str]:
    """Keys saved for a visit annotated by `with_saved_forms`."""
    saved = {k for k, f in VISIT_FORMS.items() if f.model and getattr(visit, f"saved_{k}")}
    if visit.visit_date is not None:
        saved.add(VISIT_DATE)
    return saved
