from django import template

register = template.Library()


@register.filter
def signed(value):
    """+1.5 / -2.0 for changes; empty for none."""
    if value is None:
        return ""
    return f"+{value}" if value > 0 else f"{value}"
