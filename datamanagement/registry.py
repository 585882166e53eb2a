"""What data management plugs into the base: its parts on the CRF pages and the subject
dashboard, home-page counts, and what blocks the database lock."""

from django.utils.translation import gettext_lazy as _

from trial_edc.core import registry


def register() -> None:
    """Called once from `DataManagementConfig.ready()`."""
    # --- queries (issue 14, points 1, 2, 4) ---
    from datamanagement.queries import parts as query_parts

    query_parts.register()
    _register_locks()
    _register_sdv()
    _register_lock_blockers()
    # --- the subject matrix's marks (issue 14, point 10), the worklists (point 12) ---
    from datamanagement import worklists
    from datamanagement.matrix import overlays

    overlays.register()
    worklists.register()
    _register_checks()
    _register_exports()
    # what its dashboard panels show, read with the subject (one query for the page)
    from datamanagement import subject_facts

    registry.subject_facts.register(
        registry.SubjectFact("datamanagement", subject_facts.annotations, order=90, worklists=False)
    )


# --- freeze and lock (issue 14, points 7-9) ---
def _register_locks() -> None:
    from datamanagement.locks import views

    registry.record_parts.register(
        registry.RecordPart(
            "lock",
            "datamanagement/locks/record_part.html",
            views.record_context,
            read_only=views.record_read_only,
            order=90,
        )
    )
    registry.dashboard_panels.register(
        registry.DashboardPanel(
            "lock", "datamanagement/locks/dashboard_panel.html", views.dashboard_context, order=90
        )
    )


# --- source data verification and casebook sign-off (issue 14, points 5, 6, 11) ---------
def _register_sdv() -> None:
    from datamanagement.sdv import parts

    registry.record_parts.register(
        registry.RecordPart(
            key="datamanagement.sdv",
            template="datamanagement/sdv/record_part.html",
            context=parts.context,
            annotate_form=parts.annotate_form,
            order=20,
        )
    )
    registry.dashboard_panels.register(
        registry.DashboardPanel(
            "datamanagement.sdv",
            "datamanagement/sdv/dashboard_panel.html",
            parts.dashboard_panel,
            permission="datamanagement.view_sourceverification",
            order=90,
        )
    )
    from datamanagement.sdv import unlock

    registry.unlock_effects.register(
        registry.UnlockEffect("casebook_signatures", unlock.casebook_signatures_void, order=20)
    )
    registry.unlock_effects.register(
        registry.UnlockEffect("verification", unlock.verification_made_stale, order=30)
    )


# --- what blocks the database lock (issue 14, point 9); safety adds its unsigned AEs ---
def _register_lock_blockers() -> None:
    # one query for the three when asked together (locks.blockers.read_together)
    from datamanagement.locks import blockers as dm

    for key, label, blockers, order in (
        ("queries", _("Queries not closed"), dm.queries_not_closed, 10),
        ("critical_items", _("Critical items not verified"), dm.critical_items, 20),
        ("casebooks", _("Casebooks not signed"), dm.casebooks_not_signed, 40),
    ):
        registry.lock_blockers.register(registry.LockBlocker(key, label, blockers, order=order))


# --- automatic queries from edit checks (issue 14, point 3) ------------------------------
def _register_checks() -> None:
    from datamanagement.checks import builtin
    from datamanagement.checks.services import checks_run_for_record

    builtin.register()
    registry.after_save_hooks.register(
        registry.AfterSave("datamanagement.checks", checks_run_for_record, order=10)
    )


# --- data out: the kinds of export (issue 15); other kinds register here the same way -----
def _register_exports() -> None:
    from datamanagement.exports import csv_export
    from datamanagement.exports.kinds import EXPORT_KINDS, ExportKind

    EXPORT_KINDS.register(
        ExportKind(
            key="csv",
            label=_("Per-form CSV with data dictionary (zip)"),
            produce=csv_export.produce_csv_zip,
            file_name=csv_export.csv_file_name,
            content_type="application/zip",
            fields=("sites", "form", "as_of", "subject", "labels"),
            order=10,
        )
    )
    # CDISC ODM 1.3.2 (datamanagement.exports.odm): the snapshot for whoever may export (the
    # sites they see, checked by export_request); the archival file — the whole audit trail,
    # every signature, queries and SDV — for data managers only (they alone hold
    # view_all_exports; a dedicated permission would need a migration of ExportJob)
    from datamanagement.exports import odm

    EXPORT_KINDS.register(
        ExportKind(
            key="odm_snapshot",
            label=_("CDISC ODM 1.3.2 snapshot (current values, XML)"),
            produce=odm.produce_snapshot,
            file_name=odm.snapshot_file_name,
            content_type="application/xml",
            fields=("sites", "subject"),
            order=20,
        )
    )
    EXPORT_KINDS.register(
        ExportKind(
            key="odm_archival",
            label=_("CDISC ODM 1.3.2 archival file (every change, audit records, signatures)"),
            produce=odm.produce_archival,
            file_name=odm.archival_file_name,
            content_type="application/xml",
            permission="datamanagement.view_all_exports",
            fields=("sites", "subject"),
            order=30,
        )
    )
    # the casebook sign-off, a signature of the archival ODM
    from datamanagement.models import CasebookSignature

    registry.signature_sources.register(
        registry.SignatureSource("CASEBOOK", CasebookSignature, "subject", order=90)
    )
    # certified-copy casebooks (issue 15, point 4): one subject's PDF, a site's in one zip
    from datamanagement.exports.casebook import kinds as casebook

    EXPORT_KINDS.register(
        ExportKind(
            key="casebook",
            label=_("Casebook (one subject)"),
            produce=casebook.produce_casebook,
            file_name=casebook.casebook_file_name,
            content_type="application/pdf",
            fields=("sites", "subject"),
            required=("subject",),
            order=40,
        )
    )
    EXPORT_KINDS.register(
        ExportKind(
            key="casebooks",
            label=_("Casebooks of a site (zip)"),
            produce=casebook.produce_site_casebooks,
            file_name=casebook.site_casebooks_file_name,
            content_type="application/zip",
            fields=("sites",),
            order=41,
        )
    )
