"""`{% if user|may:"app.codename" %}`: a permission named by a variable (a registry entry),
which `perms.app.codename` cannot look up. A builtin (settings TEMPLATES), so pages show
only the links and buttons the person may use (issue 19, point 7)."""

from django import template

register = template.Library()


@register.filter
def may(user, permission: str) -> bool:
    return bool(permission) and user is not None and user.has_perm(permission)
