"""`audited()`: the one way a model joins the audit trail."""

import pghistory
import pgtrigger

from trial_edc.audit.models import AuditEvent, truncate_guard

# Appends the entry to the hash chain (functions installed by audit migration 0001).
_chain_link = pgtrigger.Trigger(
    name="audit_chain_link",
    when=pgtrigger.Before,
    operation=pgtrigger.Insert,
    func="NEW := jsonb_populate_record(NEW, audit_chain_link(TG_TABLE_NAME, NEW)); RETURN NEW;",
)

# 21 CFR 11.10(e): a change after first entry needs a reason, whatever path wrote it.
_reason_required = pgtrigger.Trigger(
    name="audit_reason_required",
    when=pgtrigger.Before,
    operation=pgtrigger.Insert,
    condition=pgtrigger.Condition(
        "NEW.pgh_label IN ('update', 'delete')"
        " AND COALESCE(TRIM(NEW.pgh_context->>'reason'), '') = ''"
    ),
    func=(
        "RAISE EXCEPTION 'A reason for change is required to change %', TG_TABLE_NAME"
        " USING ERRCODE = 'check_violation'; RETURN NULL;"
    ),
)


# TRUNCATE skips row triggers: refused unless the maintenance switch is on (audit.sql).
_no_truncate = truncate_guard("audit_no_truncate")


def audited(*, reason_required: bool = True, exclude: list[str] | None = None):
    """Track inserts, updates and deletes of a model in an append-only, chained history.

    `reason_required`: an update or delete must carry a reason for change (CRFs and study
    configuration); off for rows the system maintains, like site memberships.
    """
    triggers = [_chain_link, _no_truncate, *([_reason_required] if reason_required else [])]
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=exclude,
        base_model=AuditEvent,
        obj_field=pghistory.ObjForeignKey(related_name="events", null=False),
        context_field=pghistory.ContextJSONField(),
        context_id_field=pghistory.ContextUUIDField(),
        append_only=True,
        meta={"triggers": triggers},
    )


def audit_event_models():
    """Every event model of the audit trail."""
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if issubclass(m, AuditEvent) and not m._meta.abstract and m._meta.managed
    ]
