"""Trend charts drawn as SVG on the server: no script, no CDN, and the same SVG goes into PDFs.

Only presentation attributes are used (no style attributes), so the page's CSP holds.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, PANEL_HEIGHT, LEFT, RIGHT, TOP, GAP = 760, 120, 56, 16, 16, 34


@dataclass(frozen=True)
class Series:
    label: str
    points: dict[int, float]  # study day -> value
    color: str
    low: float  # the y axis
    high: float


def trend_svg(
    series: list[Series], *, dose_days: set[int], first_day: int, last_day: int
) -> SafeString:
    """Stacked panels sharing the study-day axis; dose days shaded in every panel."""
    last_day = max(last_day, first_day + 1)
    span = last_day - first_day
    plot_w = WIDTH - LEFT - RIGHT
    height = TOP + len(series) * (PANEL_HEIGHT + GAP) + 10

    def x(day: float) -> float:
        return LEFT + (day - first_day) / span * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="Trends by study day" class="trend-chart">'
    ]
    for i, s in enumerate(series):
        top = TOP + i * (PANEL_HEIGHT + GAP)
        bottom = top + PANEL_HEIGHT

        def y(value: float, s=s, top=top) -> float:
            clamped = min(max(value, s.low), s.high)
            return top + (s.high - clamped) / (s.high - s.low) * PANEL_HEIGHT

        band = plot_w / span
        for day in sorted(dose_days):
            if first_day <= day <= last_day:
                # the day's band, clipped to the plot area at both ends
                x0 = max(LEFT, x(day) - band / 2)
                x1 = min(LEFT + plot_w, x(day) + band / 2)
                parts.append(
                    f'<rect x="{x0:.1f}" y="{top}" width="{x1 - x0:.1f}" '
                    f'height="{PANEL_HEIGHT}" fill="#dbe9f6"><title>dose day {day}</title></rect>'
                )
        parts.append(
            f'<rect x="{LEFT}" y="{top}" width="{plot_w}" height="{PANEL_HEIGHT}" '
            f'fill="none" stroke="#adb5bd"/>'
        )
        parts.append(
            f'<text x="{LEFT}" y="{top - 4}" font-size="12" fill="#212529">{escape(s.label)}</text>'
        )
        for value in (s.low, s.high):
            parts.append(
                f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="10" text-anchor="end" '
                f'fill="#6c757d">{value:g}</text>'
            )
        points = sorted((d, v) for d, v in s.points.items() if first_day <= d <= last_day)
        if len(points) > 1:
            path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="2"/>'
            )
        for d, v in points:
            parts.append(
                f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="{s.color}">'
                f"<title>day {d}: {v:g}</title></circle>"
            )
        if not points:
            parts.append(
                f'<text x="{LEFT + plot_w / 2}" y="{top + PANEL_HEIGHT / 2}" font-size="11" '
                f'text-anchor="middle" fill="#6c757d">no values yet</text>'
            )
        ticks = range(first_day, last_day + 1, max(1, span // 14))
        for day in ticks:
            parts.append(
                f'<text x="{x(day):.1f}" y="{bottom + 13}" font-size="10" text-anchor="middle" '
                f'fill="#6c757d">{day}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped labels
