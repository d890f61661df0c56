"""Small inline SVG charts drawn from the numbers themselves: the report page stays one file
with no plotting library and no script (it opens anywhere, mails as an attachment)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

W, H = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 30


def _frame(labels: Sequence[str], top: float, unit: str, body: str, title: str) -> str:
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    ticks = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        ticks.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#e3e3e3"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{value:.4g}{unit}</text>')
    step = max(1, len(labels) // 8)
    slot = plot_w / max(1, len(labels))
    names = "".join(
        f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{H - 10}" text-anchor="middle">'
        f'{escape(label)}</text>' for i, label in enumerate(labels) if i % step == 0)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
            f'aria-label="{escape(title)}" font-family="sans-serif" font-size="11" '
            f'fill="#333">{"".join(ticks)}{names}{body}</svg>')


def _top(values: Sequence[float], floor: float = 1.0) -> float:
    high = max([floor, *values])
    magnitude = 10 ** (len(str(int(high))) - 1)
    return float(-(-high // magnitude) * magnitude)


def stacked_bars(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float]]],
                 title: str) -> str:
    """Bars per period, one stacked segment per (name, colour, values) series."""
    totals = [sum(values[i] for _, _, values in series) for i in range(len(labels))]
    top = _top(totals)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    bars = []
    for i, label in enumerate(labels):
        base = TOP + plot_h
        for name, colour, values in series:
            height = plot_h * values[i] / top
            base -= height
            bars.append(f'<rect x="{LEFT + slot * i + slot * 0.15:.1f}" y="{base:.1f}" '
                        f'width="{slot * 0.7:.1f}" height="{height:.1f}" fill="{colour}">'
                        f'<title>{escape(label)} {escape(name)}: {values[i]:g}</title></rect>')
    return _frame(labels, top, "", "".join(bars), title)


def line(labels: Sequence[str], values: Sequence[float | None], colour: str, title: str,
         unit: str = "", top: float | None = None) -> str:
    """A line through the known values (gaps where a period has none), with dots."""
    known = [v for v in values if v is not None]
    top = top or _top(known)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    points = [(LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * v / top, labels[i], v)
              for i, v in enumerate(values) if v is not None]
    path = " ".join(f"{'M' if j == 0 else 'L'}{x:.1f},{y:.1f}"
                    for j, (x, y, _, _) in enumerate(points))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>'
                   f'{escape(label)}: {v:.4g}{unit}</title></circle>'
                   for x, y, label, v in points)
    body = (f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>' if path
            else "") + dots
    return _frame(labels, top, unit, body, title)
