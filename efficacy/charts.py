"""One line per subject across the efficacy visits, drawn as SVG on the server (the same
SVG goes into the PDF). Presentation attributes only, so the page's CSP holds."""

from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 260, 56, 120, 28, 40
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
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(visits) - 1, 1)
    xs = {code: LEFT + i * step for i, (code, _) in enumerate(visits)}

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="visit-chart">',
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
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
            f'<text x="{xs[code]:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="10" '
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
                f'<text x="{WIDTH - RIGHT + 10}" y="{TOP + 12 + i * 14}" font-size="10" '
                f'fill="{color}">{escape(label)}</text>'
            )
    if len(lines) > LEGEND_MAX:
        parts.append(
            f'<text x="{WIDTH - RIGHT + 10}" y="{TOP + 12 + LEGEND_MAX * 14}" font-size="10">'
            f"+{len(lines) - LEGEND_MAX} more</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
