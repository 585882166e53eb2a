from django import template
from django.utils.html import format_html

from enrollment.services import site_date
from safety.charts import Series, trend_svg
from safety.selectors import subject_trends, vitals_missing_days

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


@register.inclusion_tag("safety/vitals_panel.html", takes_context=True)
def vitals_panel(context, subject):
    """Recent vital signs with flags, missing days, blood gases and the trend chart."""
    today = site_date(subject.site)
    trends = subject_trends(subject)
    days = set(trends.spo2) | set(trends.heart_rate) | set(trends.pf_ratio) | trends.dose_days
    chart = trend_svg(
        [
            Series("SpO2 (%), lowest of the day", trends.spo2, "#0d6efd", 80, 100),
            Series("PaO2/FiO2 (mmHg)", trends.pf_ratio, "#6f42c1", 50, 500),
            Series(
                "Heart rate (beats/min), highest of the day", trends.heart_rate, "#b02a37", 40, 160
            ),
        ],
        dose_days=trends.dose_days,
        first_day=min(days | {1}),
        last_day=max(days | {14}),
    )
    return {
        "subject": subject,
        "perms": context.get("perms"),
        "vitals": subject.vitals.order_by("-measured_at")[:5],
        "blood_gases": subject.blood_gases.order_by("-sampled_at")[:5],
        "vitals_missing": vitals_missing_days(subject, today),
        "safety_reports": subject.safety_reports.order_by("-created_at"),
        "chart": chart,
    }
