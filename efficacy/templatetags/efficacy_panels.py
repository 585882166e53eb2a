from django import template

from efficacy import outcomes, selectors

register = template.Library()


@register.inclusion_tag("efficacy/visit_schedule.html", takes_context=True)
def visit_schedule(context, subject):
    """The schedule with, per visit, its status and which required forms are missing."""
    return {"subject": subject, "rows": selectors.visit_rows(subject), "perms": context["perms"]}


@register.inclusion_tag("efficacy/change_table.html")
def change_from_baseline(subject):
    """Each measure by visit with change and % change from baseline (four queries)."""
    return {"rows": selectors.subject_change_table(subject), "visits": outcomes.efficacy_visits()}


@register.filter
def signed(value):
    """+1.5 / -2.0 for changes; empty for none."""
    if value is None:
        return ""
    return f"+{value}" if value > 0 else f"{value}"
