"""CDISC ODM 1.3.2 out of trial-edc (issue 15, points 2, 3 and 6): the study definition from
the CRF registry and `study()` (metadata.py), the clinical data as a snapshot or as an
archival transactional file with audit records and signatures (clinical.py, extension.py),
each validated before it is offered (validate.py); a file that fails is never offered:
`OdmInvalid` carries the validation messages."""

import shutil
import tempfile
from typing import BinaryIO

from datamanagement.exports.odm.clinical import subjects_in_scope, write_file
from datamanagement.exports.odm.validate import OdmInvalid, check_file

__all__ = [
    "OdmInvalid",
    "archival_for_subject",
    "produce_archival",
    "produce_snapshot",
    "write_odm",
]


def write_odm(
    out: BinaryIO,
    *,
    archival: bool,
    site_codes: list[str] | None = None,
    subject=None,
    user=None,
    progress=None,
    identifying: bool | None = None,
) -> None:
    """Write the ODM file of the subjects in scope (sites by code, one subject — a Subject or
    its number —, the sites of `user`) to `out`, once it has passed its validation; raise
    `OdmInvalid` (and write nothing) if it fails. `progress(done, total)` per batch.
    `identifying`: the fields that identify a person (`CrfModel.identifying`) included; by
    default when there is no user (the command line, the site's casebook) or the user may
    see them (`datamanagement.export_identifying`)."""
    if identifying is None:
        identifying = user is None or user.has_perm("datamanagement.export_identifying")
    subjects = subjects_in_scope(site_codes=site_codes, subject=subject, user=user)
    with tempfile.NamedTemporaryFile(prefix="odm-", suffix=".xml") as tmp:
        write_file(
            tmp, archival=archival, subjects=subjects, progress=progress, identifying=identifying
        )
        tmp.flush()
        check_file(tmp.name, extended=archival)
        tmp.seek(0)
        shutil.copyfileobj(tmp, out, 1 << 20)


def archival_for_subject(subject) -> bytes:
    """The archival ODM file of one subject (attached to its certified-copy casebook)."""
    import io

    buffer = io.BytesIO()
    write_odm(buffer, archival=True, subject=subject)
    return buffer.getvalue()


# --- the export kinds (datamanagement.registry): made by the worker for an ExportJob -------
def _produce(job, out, progress, *, archival: bool) -> None:
    from datamanagement.exports.kinds import ExportFilters

    f = ExportFilters.of(job)
    write_odm(
        out,
        archival=archival,
        site_codes=list(f.sites) or None,
        subject=f.subject or None,
        progress=progress,
        identifying=f.identifying,
    )


def produce_snapshot(job, out, progress) -> None:
    _produce(job, out, progress, archival=False)


def produce_archival(job, out, progress) -> None:
    _produce(job, out, progress, archival=True)


def snapshot_file_name(job) -> str:
    from datamanagement.exports.kinds import standard_file_name

    return standard_file_name(job, "odm-snapshot", "xml")


def archival_file_name(job) -> str:
    from datamanagement.exports.kinds import standard_file_name

    return standard_file_name(job, "odm-archival", "xml")
