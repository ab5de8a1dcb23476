"""Charts drawn on the server as SVG (issue 16): no script, no library, nothing the Content-Security-Policy refuses
(presentation attributes and classes only, no style attribute). The drawing is narrow (a phone's width in its own
units) and scales to its box; every chart has a text table beside it on the page for screen readers."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 12, 30  # room for the axis labels


@dataclass(frozen=True)
class Month:
    first_day: datetime.date
    incoming: int
    outgoing: int
    on_time_percent: int | None  # None: nothing finished that month

    @property
    def label(self) -> str:
        return self.first_day.strftime("%m/%Y")


def _nice_max(value: int) -> int:
    """A round top for the axis at or above ``value``, four times a round step (1, 2, 5 x 10^n), so the five
    grid lines read as whole numbers."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if 4 * m * step >= value:
                return 4 * m * step
        step *= 10


def _frame(top: int, unit: str, title_id: str, title: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id}" '
             f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{title_id}">{escape(title)}</title>']
    for i in range(5):
        value = top * i // 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{value}{unit}</text>')
    return parts


def _month_labels(months: Sequence[Month], slot: float) -> list[str]:
    parts = []
    for i, m in enumerate(months):
        x = LEFT + slot * (i + 0.5)
        parts.append(f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 13}" text-anchor="middle">'
                     f'{m.first_day.month:02d}</text>')
        if i == 0 or m.first_day.month == 1:
            parts.append(f'<text class="axis year" x="{x:.1f}" y="{HEIGHT - BOTTOM + 25}" text-anchor="middle">'
                         f'{m.first_day.year}</text>')
    return parts


def bars(months: Sequence[Month], *, title: str, incoming_label: str, outgoing_label: str,
         title_id: str = "chart-bars") -> SafeString:
    """Two bars a month (documents in, documents out), with a legend."""
    top = _nice_max(max([m.incoming for m in months] + [m.outgoing for m in months] + [0]))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(months), 1)
    bar = slot * 0.36
    parts = _frame(top, "", title_id, title)
    for i, m in enumerate(months):
        x = LEFT + slot * i + slot * 0.12
        for j, (value, cls, label) in enumerate(((m.incoming, "in", incoming_label),
                                                 (m.outgoing, "out", outgoing_label))):
            h = plot_h * value / top
            parts.append(f'<rect class="bar {cls}" x="{x + j * bar:.1f}" y="{TOP + plot_h - h:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}"><title>{escape(m.label)}: {escape(label)} {value}'
                         f'</title></rect>')
    parts += _month_labels(months, slot)
    parts.append(f'<rect class="bar in" x="{LEFT}" y="2" width="8" height="8"/><text class="legend" x="{LEFT + 11}" '
                 f'y="10">{escape(incoming_label)}</text>')
    parts.append(f'<rect class="bar out" x="{LEFT + 150}" y="2" width="8" height="8"/><text class="legend" '
                 f'x="{LEFT + 161}" y="10">{escape(outgoing_label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped, every number formatted


def line(months: Sequence[Month], *, title: str, title_id: str = "chart-line") -> SafeString:
    """The share on time by month, 0-100 %, a point for each month with something finished; gaps left open."""
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(months), 1)
    parts = _frame(100, "%", title_id, title)
    segment: list[str] = []
    segments: list[list[str]] = []
    points = []
    for i, m in enumerate(months):
        if m.on_time_percent is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        x, y = LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * m.on_time_percent / 100
        segment.append(f"{x:.1f},{y:.1f}")
        points.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{escape(m.label)}: '
                      f'{m.on_time_percent}%</title></circle>')
    if segment:
        segments.append(segment)
    parts += [f'<polyline class="line" points="{" ".join(s)}"/>' for s in segments if len(s) > 1]
    parts += points
    parts += _month_labels(months, slot)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped, every number formatted
