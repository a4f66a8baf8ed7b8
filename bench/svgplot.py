"""Line charts written as self-contained SVG text: axes, ticks, labels, a legend, linear or
log-scale axes. Only the standard library, so the benchmark report needs no plotting package."""

import math
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 680, 420
LEFT, RIGHT, TOP, BOTTOM = 78, 32, 62, 56  # margins around the plot area
FONT = 'font-family="sans-serif"'


class Series:
    """One line: a name for the legend, (x, y) points, a colour and an optional dash pattern."""

    def __init__(self, name, points, color, dash=None):
        self.name = name
        self.points = sorted((x, y) for x, y in points if y is not None and y > 0)
        self.color = color
        self.dash = dash


def si(value):
    """12 -> '12', 3500 -> '3.5k', 2.5e6 -> '2.5M'."""
    for factor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g}{suffix}"
    return f"{value:.3g}"


def byte_size(value):
    """16 -> '16 B', 4096 -> '4 KiB', 65536 -> '64 KiB'."""
    for factor, suffix in ((1 << 20, "MiB"), (1 << 10, "KiB")):
        if value >= factor and value % factor == 0:
            return f"{value // factor} {suffix}"
    return f"{value:g} B"


def nice_linear_ticks(high):
    """Ticks from 0 to at least `high`, at a step of 1, 2 or 5 times a power of ten."""
    if high <= 0:
        high = 1
    raw = high / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    count = math.ceil(high / step - 1e-9)
    return [i * step for i in range(count + 1)]


def log_ticks(low, high):
    """Powers of ten (and 2 and 5 times them, over three decades or fewer) from the last at or
    below `low` to the first at or above `high`."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    multiples = (1, 2, 5) if last - first <= 3 else (1,)
    ticks = [m * 10 ** e for e in range(first, last + 1) for m in multiples]
    lowest = max(t for t in ticks if t <= low)
    highest = min(t for t in ticks if t >= high)
    return [t for t in ticks if lowest <= t <= highest]


class Axis:
    """Maps data values to pixels along one axis, linearly or on a log scale."""

    def __init__(self, ticks, log, start_px, end_px):
        self.ticks, self.log = ticks, log
        self.low, self.high = ticks[0], ticks[-1]
        self.start_px, self.end_px = start_px, end_px

    def __call__(self, value):
        if self.log:
            span = math.log(self.high) - math.log(self.low)
            frac = (math.log(value) - math.log(self.low)) / span if span else 0.5
        else:
            span = self.high - self.low
            frac = (value - self.low) / span if span else 0.5
        return self.start_px + frac * (self.end_px - self.start_px)


def line_chart(series, title, x_label, y_label, x_ticks, x_format=si, x_log=True,
               y_log=False, y_format=si):
    """An SVG document: `series` drawn over the given x ticks (their first and last bound the x
    axis); the y axis is chosen to hold every point."""
    ys = [y for s in series for _, y in s.points]
    if not ys:
        raise ValueError(f"chart '{title}': no data to plot")
    if y_log:
        y_ticks = log_ticks(min(ys), max(ys))
    else:
        y_ticks = nice_linear_ticks(max(ys) * 1.05)
    x = Axis(sorted(x_ticks), x_log, LEFT, WIDTH - RIGHT)
    y = Axis(y_ticks, y_log, HEIGHT - BOTTOM, TOP)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-size="12">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" {FONT} font-size="15" '
           f'font-weight="bold">{escape(title)}</text>']
    out += _grid(x, y, x_format, y_format)
    out += _axis_labels(x_label, y_label)
    for s in series:
        out += _line(s, x, y)
    out += _legend(series)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _grid(x, y, x_format, y_format):
    parts = []
    bottom, top = y.start_px, y.end_px
    for t in x.ticks:
        px = x(t)
        parts.append(f'<line x1="{px:.1f}" y1="{top}" x2="{px:.1f}" y2="{bottom}" '
                     f'stroke="#e0e0e0"/>')
        parts.append(f'<text x="{px:.1f}" y="{bottom + 18}" text-anchor="middle" {FONT}>'
                     f'{escape(x_format(t))}</text>')
    for t in y.ticks:
        py = y(t)
        parts.append(f'<line x1="{x.start_px}" y1="{py:.1f}" x2="{x.end_px}" y2="{py:.1f}" '
                     f'stroke="#e0e0e0"/>')
        parts.append(f'<text x="{x.start_px - 6}" y="{py + 4:.1f}" text-anchor="end" {FONT}>'
                     f'{escape(y_format(t))}</text>')
    parts.append(f'<rect x="{x.start_px}" y="{top}" width="{x.end_px - x.start_px}" '
                 f'height="{bottom - top}" fill="none" stroke="#333"/>')
    return parts


def _axis_labels(x_label, y_label):
    mid_y = (TOP + HEIGHT - BOTTOM) / 2
    return [f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 14}" text-anchor="middle" '
            f'{FONT}>{escape(x_label)}</text>',
            f'<text x="18" y="{mid_y}" text-anchor="middle" {FONT} '
            f'transform="rotate(-90 18 {mid_y})">{escape(y_label)}</text>']


def _line(s, x, y):
    if not s.points:
        return []
    coords = " ".join(f"{x(px):.1f},{y(py):.1f}" for px, py in s.points)
    dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
    parts = [f'<polyline points="{coords}" fill="none" stroke="{s.color}" '
             f'stroke-width="2"{dash}><title>{escape(s.name)}</title></polyline>']
    for px, py in s.points:
        parts.append(f'<circle cx="{x(px):.1f}" cy="{y(py):.1f}" r="3.5" fill="{s.color}">'
                     f'<title>{escape(s.name)}: {si(py)}</title></circle>')
    return parts


def _legend(series):
    parts, left = [], LEFT
    for s in series:
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        parts.append(f'<line x1="{left}" y1="44" x2="{left + 24}" y2="44" stroke="{s.color}" '
                     f'stroke-width="2"{dash}/>')
        parts.append(f'<text x="{left + 30}" y="48" {FONT}>{escape(s.name)}</text>')
        left += 40 + 7 * len(s.name)
    return parts
