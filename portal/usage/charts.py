"""Charts as inline SVG drawn on the server: no script, no CDN, allowed by our CSP."""
from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#2d6a73", "#c9793a", "#5b7fb8", "#7a9a3b", "#a0527a", "#8a6d3b")
INK, MUTED, GRID = "#1f2a2e", "#66737a", "#d9dedb"


def _num(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"


def _nice(top: float) -> float:
    """A round axis maximum at or above `top` whose quarters are round too."""
    if top <= 0:
        return 1.0
    step = top / 4
    magnitude = 10 ** math.floor(math.log10(step))
    for factor in (1, 2, 2.5, 5, 10):
        if step <= factor * magnitude:
            return 4 * factor * magnitude
    return top


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'class="chart" role="img" aria-label="{escape(title)}" '
            f'font-family="sans-serif" font-size="12"><title>{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")


def empty(title: str, message: str) -> Markup:
    """A placeholder of chart size saying there is nothing to draw yet."""
    return _svg(600, 80, title, [
        f'<rect x="0.5" y="0.5" width="599" height="79" fill="#fafbfa" stroke="{GRID}"/>',
        f'<text x="300" y="45" text-anchor="middle" fill="{MUTED}">{escape(message)}</text>'])


def hbars(title: str, rows: Sequence[tuple[str, float]], unit: str = "") -> Markup:
    """Horizontal bars, largest first: a ranking."""
    top = max((v for _, v in rows), default=0) or 1
    label_w, bar_w, row_h = 150, 380, 24
    height = row_h * len(rows) + 10
    body = []
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        w = max(1.0, bar_w * value / top)
        body += [
            (f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" fill="{INK}">'
            f'{escape(label)}</text>'),
            (f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
            f'rx="2" fill="{PALETTE[0]}"/>'),
            (f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" fill="{MUTED}">'
            f'{escape(_num(value))}{escape(unit)}</text>'),
        ]
    return _svg(label_w + bar_w + 70, height, title, body)


def columns(title: str, points: Sequence[tuple[str, float]]) -> Markup:
    """Vertical columns per period (e.g. active installations)."""
    top = _nice(max((v for _, v in points), default=0))
    left, plot_h, col = 40, 160, max(24, min(60, 560 // max(1, len(points))))
    width = left + col * len(points) + 20
    body = _y_axis(left, plot_h, top, width)
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top
        x = left + i * col + col * 0.15
        body += [
            (f'<rect x="{x:.1f}" y="{10 + plot_h - h:.1f}" width="{col * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[0]}"/>'),
            (f'<text x="{x + col * 0.35:.1f}" y="{plot_h + 26}" text-anchor="middle" '
            f'fill="{MUTED}" font-size="11">{escape(label)}</text>'),
        ]
    return _svg(width, plot_h + 36, title, body)


def lines(title: str, periods: Sequence[str],
          series: Sequence[tuple[str, Sequence[float | None]]], unit: str = "") -> Markup:
    """One line per series over the periods, with a legend (trends)."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = _nice(max(values, default=0))
    left, plot_w, plot_h = 64, 400, 150
    step = plot_w / max(1, len(periods) - 1)
    body = _y_axis(left, plot_h, top, left + plot_w + 10, unit)
    for i, label in enumerate(periods):
        body.append(f'<text x="{left + i * step:.1f}" y="{plot_h + 26}" text-anchor="middle" '
                    f'fill="{MUTED}" font-size="11">{escape(label)}</text>')
    legend_y = plot_h + 48
    for n, (name, vs) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        pts = [(left + i * step, 10 + plot_h - plot_h * v / top)
               for i, v in enumerate(vs) if v is not None]
        if len(pts) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in pts]
        lx = left + (n % 4) * 100
        ly = legend_y + (n // 4) * 18
        body += [f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>',
                 f'<text x="{lx + 14}" y="{ly}" fill="{INK}">{escape(name)}</text>']
    rows = (len(series) + 3) // 4
    return _svg(left + plot_w + 30, legend_y + rows * 18, title, body)


def _y_axis(left: int, plot_h: int, top: float, right: float, unit: str = "") -> list[str]:
    out = []
    for k in range(5):
        value = top * k / 4
        y = 10 + plot_h - plot_h * k / 4
        out += [(f'<line x1="{left}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="1"/>'),
                (f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}" '
                f'font-size="11">{escape(_num(value))}{escape(unit)}</text>')]
    return out
