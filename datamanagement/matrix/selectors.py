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
    [Mark, ...]} in a constant number of queries.

    An overlay may rather read what the matrix loads anyway: `subjects(queryset)` and
    `visits(queryset)` annotate the matrix's subjects and visits (a subquery each, no query
    of their own), and `from_rows(subjects, visits)` -> the marks, from those rows (in
    place of `marks`)."""

    key: str
    marks: Callable
    order: int = 0
    subjects: Callable | None = None
    visits: Callable | None = None
    from_rows: Callable | None = None


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
    """Every subject of `site` (ordered by number) × the schedule's visits (2 queries, plus
    each overlay's own fixed number)."""
    subject_rows = Subject.objects.filter(site=site).select_related("site")
    visit_rows = SubjectVisit.objects.filter(subject__site=site)
    for overlay in overlays:
        if overlay.subjects is not None:
            subject_rows = overlay.subjects(subject_rows)
        if overlay.visits is not None:
            visit_rows = overlay.visits(visit_rows)
    subjects = list(subject_rows.order_by("subject_number"))
    visits = list(with_saved_forms(visit_rows.order_by("subject_id", "order")))
    today = site_today(site)
    by_subject: dict[int, dict[str, SubjectVisit]] = {}
    for visit in visits:
        by_subject.setdefault(visit.subject_id, {})[visit.code] = visit
    marks: dict = {}
    for overlay in overlays:
        if overlay.from_rows is not None:
            found_marks = overlay.from_rows(subjects, visits)
        else:
            found_marks = overlay.marks([s.pk for s in subjects])
        for key, found in found_marks.items():
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
