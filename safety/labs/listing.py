"""The safety laboratory listing (PDF): every graded value of the subjects, with its grade, the
rule that gave it and its inputs; values that call for an AE marked. A fixed number of queries
whatever the subjects and results (the graded results, their first doses)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from safety.labs import selectors
from trial_edc.core.pdf import render_pdf
from trial_edc.study import study


def lab_listing_context(subject_ids, generated_by: str) -> dict:
    graded = selectors.graded_results(subject_ids)
    subjects: dict[int, tuple] = {}
    for g in graded:
        subject = g.panel.subject
        subjects.setdefault(subject.pk, (subject, []))[1].append(g)
    return {
        "title": _("Safety laboratory listing"),
        "protocol_id": study().protocol_id,
        "ctcae_version": study().ctcae_version,
        "generated_by": generated_by,
        "cut_off": timezone.now(),
        "subjects": sorted(subjects.values(), key=lambda s: s[0].subject_number),
        "count": len(graded),
    }


def lab_listing_pdf(subject_ids, user) -> bytes:
    return render_pdf(
        "safety/labs/listing_pdf.html",
        lab_listing_context(subject_ids, getattr(user, "printed_name", "") or str(user)),
    )
