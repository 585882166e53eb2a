"""Freeze and lock, the pages: the lock console of a site, the confirmation of each verb, the
database lock with what blocks it, and the certificates."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from datamanagement.locks import rules, selectors, services
from datamanagement.locks.forms import LockChangeForm
from datamanagement.models.locks import Level, LockCertificate, LockState
from datamanagement.places import page_facts, record_memo
from enrollment.models import Subject, SubjectVisit
from trial_edc.accounts.selectors import scope_to_sites, sites_for
from trial_edc.core import registry
from trial_edc.core.forms import apply_errors

VIEW = "datamanagement.view_datalock"


@permission_required(VIEW, raise_exception=True)
def lock_console(request):
    """Per site: every subject and its visits with their state and the allowed verbs."""
    sites = list(sites_for(request.user).order_by("code"))
    site = None
    wanted = request.GET.get("site", "")
    if wanted.isdigit():
        site = next((s for s in sites if s.pk == int(wanted)), None)
    if site is None and sites:
        site = sites[0]
    subjects = []
    if site is not None:
        subjects = selectors.subjects_with_states(
            Subject.objects.filter(site=site).select_related("site").order_by("pk")
        )
        for s in subjects:
            s.lock_actions = rules.allowed_actions(s.own_state)
            for v in s.lock_visits:
                v.lock_actions = rules.allowed_actions(v.own_state)
    study = selectors.study_state()
    return render(
        request,
        "datamanagement/locks/console.html",
        {
            "sites": sites,
            "site": site,
            "subjects": subjects,
            "study_state": study,
            "study_locked": study == LockState.LOCKED,
        },
    )


def _target_or_404(request, level: str, pk: int, label: str = ""):
    """(subject, visit, record, where to go back) of a target the user's sites hold."""
    user = request.user
    if level == Level.STUDY:
        return None, None, None, reverse("datamanagement:database_lock")
    if level == Level.SUBJECT:
        subject = get_object_or_404(scope_to_sites(Subject.objects.all(), user), pk=pk)
        return subject, None, None, _console_of(subject.site_id)
    if level == Level.VISIT:
        visit = get_object_or_404(
            scope_to_sites(SubjectVisit.objects.select_related("subject"), user, "subject__site"),
            pk=pk,
        )
        return None, visit, None, _console_of(visit.subject.site_id)
    if level == Level.RECORD:
        crf = registry.crf_models.get(label)
        if crf is None:
            raise Http404
        model = crf.model
        if crf.subject_path is None:
            site_path = "site" if model._meta.model_name == "screening" else "screening__site"
        elif crf.subject_path == "":
            site_path = "site"
        else:
            site_path = f"{crf.subject_path}__site"
        record = get_object_or_404(scope_to_sites(model.objects.all(), user, site_path), pk=pk)
        return None, None, record, reverse("datamanagement:lock_console")
    raise Http404


def _console_of(site_id) -> str:
    return f"{reverse('datamanagement:lock_console')}?site={site_id}"


@permission_required(VIEW, raise_exception=True)
def lock_change(request, level: str, action: str, pk: int = 0, label: str = ""):
    """Confirm a verb on a target (a reason, and for an unlock a second-factor code)."""
    act = rules.ACTIONS.get(action)
    if act is None or level not in rules.LEVELS:
        raise Http404
    if not request.user.has_perm(act.permission):
        raise PermissionDenied
    subject, visit, record, back = _target_or_404(request, level, pk, label)
    form = LockChangeForm(request.POST if request.method == "POST" else None, action=act)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_lock(
                user=request.user,
                action=action,
                level=level,
                subject=subject,
                visit=visit,
                record=record,
                reason=form.cleaned_data.get("reason", ""),
                code=form.cleaned_data.get("code", ""),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": _label(action)})
            return redirect(back)
    return render(
        request,
        "datamanagement/locks/change.html",
        {
            "form": form,
            "action": action,
            "action_label": _label(action),
            "level": Level(level).label,
            "target": subject or visit or record or _("the whole study"),
            "back": back,
        },
    )


def _label(action: str) -> str:
    return {
        "freeze": _("freeze"),
        "lock": _("lock"),
        "unfreeze": _("unfreeze"),
        "unlock": _("unlock"),
    }[action]


@permission_required(VIEW, raise_exception=True)
def database_lock(request):
    """The study-level lock: what blocks it (each with a link), and the certificates."""
    blockers = selectors.lock_blockers()
    blocked = any(items for _b, items in blockers)
    study = selectors.study_state()
    can_lock = request.user.has_perm("datamanagement.lock_database")
    if request.method == "POST":
        if not can_lock:
            raise PermissionDenied
        try:
            certificate = services.lock_database(user=request.user)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("The database is locked; its certificate is below."))
            return redirect(
                reverse("datamanagement:database_lock") + f"#certificate-{certificate.pk}"
            )
        return redirect("datamanagement:database_lock")
    return render(
        request,
        "datamanagement/locks/database_lock.html",
        {
            "blockers": blockers,
            "blocked": blocked,
            "study_state": study,
            "study_locked": study == LockState.LOCKED,
            "can_lock": can_lock,
            "study_actions": [
                a
                for a in rules.allowed_actions(study)
                if a != "lock" and request.user.has_perm(rules.ACTIONS[a].permission)
            ],
            "certificates": selectors.certificates(),
        },
    )


@permission_required("datamanagement.view_lockcertificate", raise_exception=True)
def certificate_download(request, pk: int, fmt: str):
    certificate = get_object_or_404(LockCertificate, pk=pk)
    stamp = certificate.locked_at.strftime("%Y%m%dT%H%M%SZ")
    if fmt == "json":
        response = HttpResponse(certificate.certificate_json, content_type="application/json")
    elif fmt == "pdf":
        response = HttpResponse(bytes(certificate.certificate_pdf), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="lock-certificate-{stamp}.{fmt}"'
    return response


# --- shown elsewhere: on a CRF page, on the subject dashboard -----------------------------


def _record_states(record) -> tuple[str, str, str]:
    """The record's lock states, read once for its page (with the facts the parts share)."""
    return record_memo(record, "lock", lambda: selectors.record_states(record, page_facts(record)))


def record_context(request, record) -> dict:
    state, level, own = _record_states(record)
    return {
        "state": state,
        "state_label": LockState(state).label,
        "level": level,
        "record_label": record._meta.label_lower,
        "record_pk": record.pk,
        "actions": rules.allowed_actions(own) if request.user.has_perm(VIEW) else [],
    }


def record_read_only(record) -> bool:
    return _record_states(record)[0] != LockState.OPEN


def dashboard_context(request, subject) -> dict:
    """One query: the subject's state and what of it is frozen or locked."""
    return {
        "subject": subject,
        **selectors.subject_lock_summary(subject),
        "can_manage": request.user.has_perm(VIEW),
    }
