from django import template
from django.utils.html import format_html

from safety.labs.grading import plain_number

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


@register.filter
def lab_number(value) -> str:
    """A laboratory number without trailing zeros or exponent (40.000 -> 40, 1.500 -> 1.5);
    "–" when there is none."""
    if value is None or value == "":
        return "–"
    return plain_number(value)
