"""Freeze and lock, the state changes: freeze, lock, unfreeze and unlock of a form record, a
visit, a subject or the study, and the database lock with its certificate."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from datamanagement.locks import rules
from datamanagement.models.locks import LOCK_MOVES, DataLock, Level, LockCertificate, LockState
from trial_edc.accounts.permissions import require
from trial_edc.audit.chain import audit_chain_seal
from trial_edc.audit.models import AuditChainHead
from trial_edc.audit.services import audit_context
from trial_edc.core import registry
from trial_edc.core.pdf import render_pdf
from trial_edc.study import study


def _code_ok(user, code: str) -> bool:
    """A current code of the user's authenticator app (each code is accepted once)."""
    code = (code or "").replace(" ", "")
    if not code.isdigit():
        return False
    device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True).first()
    return device is not None and device.verify_token(code)


def _describe(level: str, subject, visit, record) -> str:
    if level == Level.STUDY:
        return _("the whole study")
    if level == Level.SUBJECT:
        return _("subject %(subject)s and all its data") % {"subject": subject}
    if level == Level.VISIT:
        return _("visit %(visit)s of subject %(subject)s") % {
            "visit": visit.code,
            "subject": visit.subject,
        }
    return _("%(form)s record %(pk)s") % {
        "form": record._meta.verbose_name,
        "pk": record.pk,
    }


def _target(level, subject, visit, record) -> tuple[str, dict]:
    """The target string, the row's fields and the site whose membership is required."""
    if level == Level.STUDY:
        return rules.STUDY, {}, None
    if level == Level.SUBJECT:
        return rules.subject_target(subject.pk), {"subject": subject}, subject.site
    if level == Level.VISIT:
        return (
            rules.visit_target(visit.pk),
            {"visit": visit, "subject": visit.subject},
            visit.subject.site,
        )
    from datamanagement.places import subject_and_visit_of

    label = record._meta.label_lower
    if label not in registry.crf_models:
        raise ValidationError(_("This is not a case report form."))
    subject_id, _visit_id = subject_and_visit_of(record)
    from enrollment.models import Subject

    subject_obj = Subject.objects.select_related("site").filter(pk=subject_id).first()
    site = subject_obj.site if subject_obj else getattr(record, "site", None)
    return (
        rules.record_target(label, record.pk),
        {"record_model": label, "record_id": record.pk, "subject": subject_obj},
        site,
    )


def change_lock(
    *,
    user,
    action: str,
    level: str,
    subject=None,
    visit=None,
    record=None,
    reason: str = "",
    code: str = "",
) -> DataLock:
    """Freeze, lock, unfreeze or unlock one target. Unfreeze and unlock need a reason; an
    unlock also a current code of the data manager's authenticator app, and its audited entry
    lists what it reopened and what the registered `unlock_effects` voided or made stale."""
    if action not in rules.ACTIONS:
        raise ValidationError(_("Unknown action."))
    act = rules.ACTIONS[action]
    if level not in rules.LEVELS:
        raise ValidationError(_("Unknown level."))
    if level == Level.STUDY and action == "lock":
        # the study is locked only by the database lock: its blockers, its certificate
        raise ValidationError(_("Lock the study through the database lock."))
    target, fields, site = _target(level, subject, visit, record)
    require(user, act.permission, site)
    reason = (reason or "").strip()
    errors = {}
    if act.needs_reason and not reason:
        errors["reason"] = _("Give the reason.")
    with transaction.atomic():
        if act.needs_code and not _code_ok(user, code):
            errors["code"] = _("This code is not valid. Type the code your app shows now.")
        if errors:
            raise ValidationError(errors)
        row = DataLock.objects.select_for_update().filter(target=target).first()
        if row is None:
            row = DataLock(target=target, level=level, state=LockState.OPEN, **fields)
        if row.state not in rules.FROM_STATES[action]:
            raise ValidationError(
                _("This cannot be done: it is %(state)s.")
                % {"state": LockState(row.state).label.lower()}
            )
        LOCK_MOVES.move(row, act.to)
        with audit_context(user=user, reason=reason or action):
            effects = []
            if action == "unlock":
                what = _describe(level, subject, visit, record)
                effects.append(_("Reopened: %(what)s") % {"what": what})
                scope = {
                    "level": level,
                    "subject_ids": None
                    if level == Level.STUDY
                    else ([fields["subject"].pk] if fields.get("subject") is not None else []),
                    "visit_id": visit.pk if visit is not None else None,
                    "record": (fields.get("record_model"), fields.get("record_id")),
                }
                for effect in registry.unlock_effects:
                    effects.extend(str(text) for text in effect.effects(scope))
            row.effects = effects
            row.changed_by = user
            row.changed_at = timezone.now()
            row.reason = reason
            row.save()
    return row


# --- the database lock --------------------------------------------------------------------


def data_dump() -> dict:
    """Every CRF table's rows, ordered by primary key, every concrete column: the locked data."""
    dump = {}
    for crf in sorted(registry.crf_models, key=lambda c: c.key):
        model = crf.model
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*columns)
        dump[crf.key] = {"columns": columns, "rows": [list(r) for r in rows]}
    return dump


def canonical_sha256(value) -> str:
    text = json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def chain_head_sha256(seq: int, head_hash: str) -> str:
    return canonical_sha256({"seq": seq, "hash": head_hash})


def lock_database(*, user) -> LockCertificate:
    """Lock the study, refused while anything registered in `lock_blockers` blocks it; writes
    the certificate (JSON and PDF) with the time, the person, the SHA-256 of the locked data
    and of the audit-chain head."""
    require(user, "datamanagement.lock_database")
    from datamanagement.locks.selectors import lock_blockers

    with transaction.atomic():
        blocking = [(b, items) for b, items in lock_blockers() if items]
        if blocking:
            raise ValidationError(
                _("The database cannot be locked: %(what)s.")
                % {"what": "; ".join(f"{b.label} ({len(items)})" for b, items in blocking)}
            )
        row = DataLock.objects.select_for_update().filter(target=rules.STUDY).first()
        if row is not None and row.state == LockState.LOCKED:
            raise ValidationError(_("The database is already locked."))
        if row is None:
            row = DataLock(target=rules.STUDY, level=Level.STUDY)
        LOCK_MOVES.move(row, LockState.LOCKED)
        now = timezone.now()
        row.changed_by, row.changed_at, row.reason, row.effects = user, now, "", []
        with audit_context(user=user, reason=_("Database lock")):
            row.save()
        audit_chain_seal()  # the certificate names the chain up to the lock's own entry
        head = AuditChainHead.objects.filter(pk=1).first()
        seq, head_hash = (head.seq, head.hash) if head else (0, "0" * 64)
        content = {
            "study": study().protocol_id,
            "locked_at": now.isoformat(),
            "locked_by": {"username": user.username, "name": user.get_full_name()},
            "data_sha256": canonical_sha256(data_dump()),
            "audit_chain_head": {"seq": seq, "hash": head_hash},
            "audit_chain_sha256": chain_head_sha256(seq, head_hash),
        }
        certificate_json = json.dumps(content, indent=2, sort_keys=True)
        pdf = render_pdf("datamanagement/locks/certificate_pdf.html", {"c": content, "user": user})
        with audit_context(user=user, reason=_("Database lock")):
            certificate = LockCertificate.objects.create(
                locked_at=now,
                locked_by=user,
                data_sha256=content["data_sha256"],
                chain_seq=seq,
                chain_hash=head_hash,
                chain_sha256=content["audit_chain_sha256"],
                certificate_json=certificate_json,
                certificate_pdf=pdf,
            )
        audit_chain_seal()  # and the certificate's own entry
        return certificate
