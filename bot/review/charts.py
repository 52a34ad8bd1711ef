"""Small server-side SVG charts for the dashboard: no JavaScript, every label escaped."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 720
HEIGHT = 220
LEFT = 44
RIGHT = 12
TOP = 24
BOTTOM = 34


def _svg(title: str, body: list[str], height: int = HEIGHT) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>' + "".join(body) + "</svg>"
    )


def _nice_ceiling(value: float) -> float:
    """Round an axis maximum up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _axes(maximum: float, plot_height: float, percent: bool) -> list[str]:
    parts = []
    for fraction in (0.0, 0.5, 1.0):
        y = TOP + plot_height * (1 - fraction)
        value = maximum * fraction
        text = f"{value * 100:.0f}%" if percent else f"{value:g}"
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>'
        )
    return parts


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    every = max(1, len(labels) // 8)
    parts = []
    for index, label in enumerate(labels):
        is_last = index == len(labels) - 1
        # The last day always gets a label unless it would collide with the one before.
        if index % every and not (is_last and index % every >= every / 2):
            continue
        x = LEFT + slot * (index + 0.5)
        parts.append(
            f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    return parts


def stacked_bar_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int], str]]
) -> Markup:
    """Draw stacked bars per label; series are (name, values, css class)."""
    plot_height = HEIGHT - TOP - BOTTOM
    totals = [sum(values[i] for _, values, _ in series) for i in range(len(labels))]
    maximum = _nice_ceiling(max(totals, default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    bar = max(2.0, slot * 0.7)
    body = _axes(maximum, plot_height, percent=False)
    for index, label in enumerate(labels):
        base = 0
        for name, values, css in series:
            value = values[index]
            if value <= 0:
                continue
            y = TOP + plot_height * (1 - (base + value) / maximum)
            h = plot_height * value / maximum
            x = LEFT + slot * index + (slot - bar) / 2
            body.append(
                f'<rect class="{escape(css)}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}"><title>{escape(label)}: {value} {escape(name)}</title></rect>'
            )
            base += value
    body += _x_labels(labels, slot)
    legend_x = LEFT
    for name, _, css in series:
        body.append(f'<rect class="{escape(css)}" x="{legend_x}" y="2" width="10" height="10"/>')
        body.append(f'<text class="legend" x="{legend_x + 14}" y="11">{escape(name)}</text>')
        legend_x += 24 + 8 * len(name)
    return _svg(title, body)


def rate_line_chart(title: str, labels: Sequence[str], rates: Sequence[float | None]) -> Markup:
    """Draw a 0–100 % line; days without data (None) break the line."""
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body = _axes(1.0, plot_height, percent=True)
    segments: list[list[tuple[float, float]]] = [[]]
    for index, (label, rate) in enumerate(zip(labels, rates, strict=True)):
        if rate is None:
            segments.append([])
            continue
        x = LEFT + slot * (index + 0.5)
        y = TOP + plot_height * (1 - rate)
        segments[-1].append((x, y))
        body.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(label)}: {rate * 100:.0f}%</title></circle>"
        )
    for segment in segments:
        if len(segment) > 1:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            body.insert(0, f'<polyline class="line" points="{points}"/>')
    body += _x_labels(labels, slot)
    return _svg(title, body)


def horizontal_bar_chart(title: str, items: Sequence[tuple[str, int]]) -> Markup:
    """Draw one labelled bar per item, longest first as given."""
    row = 26
    height = TOP + row * max(1, len(items)) + 8
    maximum = max((count for _, count in items), default=1) or 1
    label_width = 330
    bar_space = WIDTH - label_width - 60
    body = []
    for index, (label, count) in enumerate(items):
        y = TOP + row * index
        shown = label if len(label) <= 48 else label[:47] + "…"
        width = max(2.0, bar_space * count / maximum)
        body.append(
            f'<text class="label" x="{label_width - 8}" y="{y + 15}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(shown)}</text>"
        )
        body.append(
            f'<rect class="bar-unanswered" x="{label_width}" y="{y + 3}" width="{width:.1f}" '
            f'height="{row - 8}"/>'
        )
        body.append(
            f'<text class="axis" x="{label_width + width + 6:.1f}" y="{y + 15}">{count}</text>'
        )
    if not items:
        body.append(f'<text class="axis" x="{LEFT}" y="{TOP + 14}">No unanswered questions.</text>')
    return _svg(title, body, height=height)
