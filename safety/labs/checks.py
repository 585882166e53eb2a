"""Safety's edit check for data management's automatic queries (registered in
`core.registry.edit_checks`; data management never imports safety): a laboratory value
proposed as an AE that the investigators have not decided yet."""

from django.utils.translation import gettext as _

from safety.models import LabSignal


def proposals_open(subject_ids) -> list[dict]:
    """Open AE proposals of the subjects (None: every subject), one finding on the result's
    value each. One query."""
    rows = LabSignal.objects.filter(status=LabSignal.Status.OPEN, result__isnull=False)
    if subject_ids is not None:
        rows = rows.filter(subject_id__in=list(subject_ids))
    return [
        {
            "label": "safety.safetylabresult",
            "record_id": s.result_id,
            "field": "value",
            "site_id": s.subject.site_id,
            "subject_id": s.subject_id,
            "visit_id": None,
            "text": _(
                "%(test)s of %(on)s is CTCAE grade %(grade)d (%(why)s). Investigator: confirm "
                "it as an adverse event, or record why it is not one."
            )
            % {
                "test": s.ctcae_term.term if s.ctcae_term_id else s.test_code,
                "on": s.specimen_on.isoformat(),
                "grade": s.grade,
                "why": s.explanation,
            },
        }
        for s in rows.select_related("subject", "ctcae_term").order_by("pk")
    ]
