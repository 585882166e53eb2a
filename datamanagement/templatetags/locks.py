"""How freeze-and-lock states and actions read on the pages (translated labels, not codes)."""

from django import template
from django.utils.translation import gettext_lazy as _

from datamanagement.models.locks import LockState

register = template.Library()

ACTION_LABELS = {
    "freeze": _("Freeze"),
    "lock": _("Lock"),
    "unfreeze": _("Unfreeze"),
    "unlock": _("Unlock"),
}


@register.filter
def lock_state(code: str) -> str:
    return LockState(code).label if code in LockState.values else code


@register.filter
def lock_action(code: str) -> str:
    return ACTION_LABELS.get(code, code)
