"""The subject matrix: a site's subjects × the visits of the schedule, each cell what is
entered and what is missing, plus what the other parts of data management register
(`overlays`: open queries, verification, signatures, freeze and lock). A fixed number of
queries whatever the subjects, visits and records."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from enrollment.models import Subject, SubjectVisit
from enrollment.schedule.selectors import visit_row, with_saved_forms
from trial_edc.core.clock import site_today
from trial_edc.core.registry import Registry
from trial_edc.study import study


@dataclass(frozen=True)
class Mark:
    """Something an overlay says of a cell: a short label and a Bootstrap colour."""

    label: str
    tone: str = "secondary"  # success, warning, danger, info, secondary, dark
    url: str = ""


@dataclass(frozen=True)
class MatrixOverlay:
    """`marks(subject_ids)` -> {(subject_id, visit_code or None for the whole subject):
    [Mark, ...]} in a constant number of queries."""

    key: str
    marks: Callable
    order: int = 0


overlays = Registry("subject matrix overlays")


@dataclass
class FormCell:
    label: str
    url: str  # the form's page, for those who may enter it (`permission`)
    saved: bool
    missing: bool
    permission: str
    read_url: str  # the visit's page, which every role of the site may read


@dataclass
class Cell:
    code: str
    status: str  # upcoming, due, overdue, done, missed, not_applicable
    status_label: str
    forms: list[FormCell]
    marks: list[Mark] = field(default_factory=list)

    @property
    def state(self) -> str:
        """missing (a required form overdue), entered (all saved), or the visit's status."""
        if any(f.missing for f in self.forms):
            return "missing"
        if self.forms and all(f.saved for f in self.forms):
            return "entered"
        return self.status


@dataclass
class Row:
    subject: Subject
    cells: list[Cell]
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Matrix:
    visits: list  # study().visits
    rows: list[Row]


def subject_matrix(site) -> Matrix:
    """Every subject of `site` (ordered by number) × the schedule's visits (3 queries, plus
    each overlay's own fixed number)."""
    subjects = list(
        Subject.objects.filter(site=site).select_related("site").order_by("subject_number")
    )
    visits = with_saved_forms(
        SubjectVisit.objects.filter(subject__site=site).order_by("subject_id", "order")
    )
    today = site_today(site)
    by_subject: dict[int, dict[str, SubjectVisit]] = {}
    for visit in visits:
        by_subject.setdefault(visit.subject_id, {})[visit.code] = visit
    marks: dict = {}
    for overlay in overlays:
        for key, found in overlay.marks([s.pk for s in subjects]).items():
            marks.setdefault(key, []).extend(found)
    schedule = study().visits
    rows = []
    for subject in subjects:
        cells = []
        for configured in schedule:
            visit = by_subject.get(subject.pk, {}).get(configured.code)
            if visit is None:
                cells.append(Cell(configured.code, "not_applicable", "", []))
                continue
            row = visit_row(visit, today)
            read_url = reverse("efficacy:visit_detail", args=[subject.pk, visit.code])
            forms = [
                FormCell(
                    f.label,
                    reverse(f.url_name, args=[subject.pk, visit.code]),
                    f.saved,
                    f.missing,
                    f.permission,
                    read_url,
                )
                for f in row.forms
            ]
            cells.append(
                Cell(
                    visit.code,
                    row.status,
                    row.label,
                    forms,
                    marks.get((subject.pk, visit.code), []),
                )
            )
        rows.append(Row(subject, cells, marks.get((subject.pk, None), [])))
    return Matrix(list(schedule), rows)
