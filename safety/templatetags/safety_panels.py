from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def flagged(value, flag=None):
    """A vital sign, marked when outside the configured normal range."""
    if value is None:
        return "–"
    if flag:
        arrow = "↑" if flag == "high" else "↓"
        return format_html('<span class="vital-flag" title="{}">{}{}</span>', flag, value, arrow)
    return value


@register.filter
def outcome_label(code: str) -> str:
    """The translated label of an AE outcome code (CDISC OUT)."""
    from safety.selectors import outcome_label as label

    return label(code)
