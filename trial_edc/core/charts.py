"""The one SVG chart kit: drawn on the server, no script and no CDN, and the same SVG goes into
PDFs. Only presentation attributes are used (no style attributes), so the page's CSP holds.

- `trend_svg`: stacked panels of values by study day, dose days shaded (subject pages);
- `visit_lines_svg`: one line per subject across the visits (study summary and its PDF).
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

LEFT = 56  # room for the y-axis labels, the same in every chart
TREND_WIDTH, PANEL_HEIGHT, TREND_RIGHT, TREND_TOP, TREND_GAP = 760, 120, 16, 16, 34
VISIT_WIDTH, VISIT_HEIGHT, VISIT_RIGHT, VISIT_TOP, VISIT_BOTTOM = 720, 260, 120, 28, 40


def _svg_open(width: int, height: int, label: str, css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(label)}" class="{css_class}">'
    )


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
    plot_w = TREND_WIDTH - LEFT - TREND_RIGHT
    height = TREND_TOP + len(series) * (PANEL_HEIGHT + TREND_GAP) + 10

    def x(day: float) -> float:
        return LEFT + (day - first_day) / span * plot_w

    parts = [_svg_open(TREND_WIDTH, height, "Trends by study day", "trend-chart")]
    for i, s in enumerate(series):
        top = TREND_TOP + i * (PANEL_HEIGHT + TREND_GAP)
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


LEGEND_MAX = 12  # subjects named beside the plot; the others are counted
PALETTE = (
    "#0d6efd",
    "#d63384",
    "#198754",
    "#fd7e14",
    "#6f42c1",
    "#20c997",
    "#dc3545",
    "#6c757d",
    "#0dcaf0",
    "#ffc107",
)


def visit_lines_svg(
    title: str, lines: dict[str, dict[str, float]], visits: list[tuple[str, str]]
) -> SafeString:
    """`lines`: label -> {visit code: value}; `visits`: (code, short name) along the x axis."""
    values = [float(v) for points in lines.values() for v in points.values()]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    plot_w, plot_h = VISIT_WIDTH - LEFT - VISIT_RIGHT, VISIT_HEIGHT - VISIT_TOP - VISIT_BOTTOM
    step = plot_w / max(len(visits) - 1, 1)
    xs = {code: LEFT + i * step for i, (code, _) in enumerate(visits)}

    legend_x = VISIT_WIDTH - VISIT_RIGHT + 10

    def y(value: float) -> float:
        return VISIT_TOP + (high - value) / (high - low) * plot_h

    parts = [
        _svg_open(VISIT_WIDTH, VISIT_HEIGHT, title, "visit-chart"),
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{LEFT}" y="{VISIT_TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="#adb5bd"/>',
    ]
    for fraction in (0, 0.5, 1):
        value = low + (high - low) * fraction
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="10" '
            f'text-anchor="end">{value:.0f}</text>'
        )
    for code, name in visits:
        parts.append(
            f'<text x="{xs[code]:.1f}" y="{VISIT_HEIGHT - VISIT_BOTTOM + 16}" font-size="10" '
            f'text-anchor="middle">{escape(name)}</text>'
        )
    for i, (label, points) in enumerate(lines.items()):
        color = PALETTE[i % len(PALETTE)]
        ordered = [(xs[c], y(float(points[c]))) for c, _ in visits if c in points]
        if len(ordered) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in ordered)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.8"/>'
            )
        for px, py in ordered:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}"/>')
        if i < LEGEND_MAX:
            parts.append(
                f'<text x="{legend_x}" y="{VISIT_TOP + 12 + i * 14}" font-size="10" '
                f'fill="{color}">{escape(label)}</text>'
            )
    if len(lines) > LEGEND_MAX:
        parts.append(
            f'<text x="{legend_x}" y="{VISIT_TOP + 12 + LEGEND_MAX * 14}" font-size="10">'
            f"+{len(lines) - LEGEND_MAX} more</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
