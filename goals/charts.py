"""Charts as SVG drawn on the server, for the PDF reports (reporting.render) and the web pages
that show the same figures: the overview (/oversikt/), the start pages and the open pages
(see "Web use" below).

Every chart reads the same in black and white: each bar carries the status symbols and the
counts as text beside it, and a legend gives symbol, colour and word (UI.md: never colour
alone). The SVG uses presentation attributes only (no style attributes, no script), so the
site's Content-Security-Policy lets it through, and every <text> names its font, because
WeasyPrint draws an SVG <text> without font-family in a serif font.

Web use, when a page wants one: pass `font_family=WEB_FONT` and print the result unescaped
(it is a SafeString).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.formats import format_swedish_number

from .models import ASSESSMENT_SYMBOLS, Assessment

PRINT_FONT = "DejaVu Sans, sans-serif"
WEB_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'

LEVELS = [
    Assessment.FULFILLED,
    Assessment.PARTLY,
    Assessment.NOT_FULFILLED,
    Assessment.NOT_ASSESSED,
]
# The status colours of static/css/app.css, for text on white (4.5:1).
COLOURS = {
    Assessment.FULFILLED: "#1a6b34",
    Assessment.PARTLY: "#8a5a00",
    Assessment.NOT_FULFILLED: "#b3261e",
    Assessment.NOT_ASSESSED: "#666666",
}
# Bar fills: the text colours above are nearly equally dark, and under deuteranopia "delvis"
# and "ej uppfyllt" look alike. The fills differ in lightness instead (CIE L* about 30, 55,
# 78 and 97, at least 17 apart also with simulated deuteranopia, see
# reporting/tests/test_report_body.py), so they stay apart for colour-blind readers and in
# grey print. INK is what is drawn on a fill (symbol, pattern): white on the dark green, near
# black on the others, each at least 4.5:1 against its fill (small text's WCAG ratio).
FILLS = {
    Assessment.FULFILLED: "#0f5132",
    Assessment.PARTLY: "#f2b705",
    Assessment.NOT_FULFILLED: "#d6604d",
    Assessment.NOT_ASSESSED: "#f7f7f7",
}
INK = {
    Assessment.FULFILLED: "#ffffff",
    Assessment.PARTLY: "#111111",
    Assessment.NOT_FULFILLED: "#111111",
    Assessment.NOT_ASSESSED: "#111111",
}
BAR_COLOUR = "#1f4e79"
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#555555"
LINE_COLOUR = "#c8c8c8"


@dataclass
class ChartRow:
    """One bar: a label and the number of goals per assessment level."""

    label: str
    counts: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.get(level, 0) for level in LEVELS)


def _text(x, y, content, *, font_family, size=12, fill=TEXT_COLOUR, anchor="start", bold=False):
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{escape(font_family)}" '
        f'font-size="{size}" fill="{fill}" text-anchor="{anchor}"{weight}>{escape(content)}</text>'
    )


def _frame(*, chart_id, width, height, title, description, body) -> SafeString:
    chart_id = escape(chart_id)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _legend(font_family: str, pid: str = "") -> list[str]:
    """Legend of the assessment bars: a swatch with the level's symbol in it, then the word;
    with `pid` (the chart's pattern ids) the swatch carries the level's pattern too."""
    body = []
    x = 0.0
    for level in LEVELS:
        body.append(
            f'<rect x="{x:.1f}" y="4" width="18" height="18" rx="2" fill="{FILLS[level]}" '
            f'stroke="{MUTED_COLOUR}" stroke-width="0.5"/>'
        )
        if pid:
            body.append(
                f'<rect x="{x:.1f}" y="4" width="18" height="18" rx="2" '
                f'fill="url(#{pid}-p-{level})"/>'
            )
        body.append(
            _text(
                x + 9,
                17.5,
                ASSESSMENT_SYMBOLS[level],
                font_family=font_family,
                size=12,
                fill=INK[level],
                anchor="middle",
            )
        )
        label = Assessment(level).label
        body.append(_text(x + 24, 18, label, font_family=font_family, size=12))
        x += 24 + 7.2 * len(label) + 22
    return body


def text_width(text: str, size: float) -> int:
    """A generous estimate of the text's width in DejaVu Sans (wider than most letters; the
    status symbols are wider still)."""
    wide = sum(1 for ch in text if ch in "●◐✕")
    return round(size * (0.64 * (len(text) - wide) + 0.9 * wide))


def counts_text(counts: dict) -> str:
    """'● 3 · ◐ 2 · ✕ 1' – the non-zero levels, symbol and number."""
    parts = [
        f"{ASSESSMENT_SYMBOLS[level]} {counts[level]}" for level in LEVELS if counts.get(level)
    ]
    return " · ".join(parts)


def counts_words(counts: dict) -> str:
    """'3 Uppfyllt, 2 Delvis uppfyllt' – for the chart's description (screen readers)."""
    parts = [f"{counts[level]} {Assessment(level).label}" for level in LEVELS if counts.get(level)]
    return ", ".join(parts) or "inga inriktningsmål"


def fulfilment_chart(
    rows: list[ChartRow],
    *,
    title: str,
    chart_id: str = "chart",
    font_family: str = PRINT_FONT,
    width: int = 640,
) -> SafeString:
    """Stacked horizontal bars, one per row: the goals per assessment level.

    The reports' name for share_chart: each bar is scaled to its own row's total (100 %), so
    "1 av 1 uppfyllt" fills its bar; a bar scaled to the largest row read as a quarter.
    """
    return share_chart(rows, title=title, chart_id=chart_id, font_family=font_family, width=width)


def count_chart(
    rows: list[tuple[str, int]],
    *,
    title: str,
    unit: str,
    chart_id: str = "chart",
    font_family: str = PRINT_FONT,
    width: int = 640,
) -> SafeString:
    """Plain horizontal bars with the number written after each: e.g. goals per area."""
    row_height = 36
    bar_height = 14
    counts_width = 150
    bar_width = width - counts_width
    height = row_height * max(len(rows), 1) + 4
    scale_max = max([n for _label, n in rows] + [1])
    body = []
    y = 0.0
    for label, n in rows:
        body.append(_text(0, y + 12, label, font_family=font_family, size=12, bold=True))
        bar_y = y + 16
        if n:
            body.append(
                f'<rect x="0" y="{bar_y:.1f}" width="{bar_width * n / scale_max:.1f}" '
                f'height="{bar_height}" fill="{BAR_COLOUR}"/>'
            )
        body.append(
            f'<line x1="0" y1="{bar_y:.1f}" x2="0" y2="{bar_y + bar_height:.1f}" '
            f'stroke="{MUTED_COLOUR}" stroke-width="1"/>'
        )
        body.append(
            _text(
                bar_width * n / scale_max + 8,
                bar_y + 11.5,
                f"{n} {unit}",
                font_family=font_family,
                size=11,
            )
        )
        y += row_height
    description = "; ".join(f"{label}: {n} {unit}" for label, n in rows)
    return _frame(
        chart_id=chart_id,
        width=width,
        height=height,
        title=title,
        description=description,
        body=body,
    )


# A pattern per level, drawn in the level's ink over the fill of every segment, so that even a
# segment too narrow for its symbol differs from its neighbours without colour (UI.md).
PATTERNS = {
    Assessment.FULFILLED: '<path d="M0,3 L6,3" stroke="{ink}" stroke-width="0.8"/>',
    Assessment.PARTLY: '<path d="M0,6 L6,0" stroke="{ink}" stroke-width="1.2"/>',
    Assessment.NOT_FULFILLED: '<path d="M0,0 L6,6 M0,6 L6,0" stroke="{ink}" stroke-width="1"/>',
    Assessment.NOT_ASSESSED: '<circle cx="3" cy="3" r="1" fill="{ink}"/>',
}


def _patterns(pid: str) -> str:
    defs = ["<defs>"]
    for level in LEVELS:
        defs.append(
            f'<pattern id="{pid}-p-{level}" width="6" height="6" '
            f'patternUnits="userSpaceOnUse">{PATTERNS[level].format(ink=INK[level])}</pattern>'
        )
    defs.append("</defs>")
    return "".join(defs)


def share_chart(
    rows: list[ChartRow],
    *,
    title: str,
    chart_id: str = "chart",
    font_family: str = PRINT_FONT,
    width: int = 640,
) -> SafeString:
    """Stacked bars each scaled to its own row's total (100 %): the share per level.

    Every segment carries its level's pattern, and its symbol where it is wide enough; the
    counts follow the bar as text. Rows without goals show an empty frame.
    """
    legend_height = 34
    row_height = 40
    bar_height = 18
    summaries = [
        counts_text(row.counts) + f" (av {row.total})" if row.total else "Inga inriktningsmål"
        for row in rows
    ]
    # Room for the longest count text after the bars, so no count is ever clipped.
    counts_width = max([150] + [text_width(text, 11) + 12 for text in summaries])
    bar_width = width - counts_width
    height = legend_height + row_height * max(len(rows), 1) + 4
    pid = escape(chart_id)
    body = [_patterns(pid)]
    body += _legend(font_family, pid)
    y = float(legend_height)
    for row, summary in zip(rows, summaries, strict=True):
        body.append(_text(0, y + 12, row.label, font_family=font_family, size=12, bold=True))
        bar_y = y + 17
        body.append(
            f'<rect x="0" y="{bar_y:.1f}" width="{bar_width:.1f}" height="{bar_height}" '
            f'fill="none" stroke="{LINE_COLOUR}" stroke-width="1"/>'
        )
        seg_x = 0.0
        for level in LEVELS:
            n = row.counts.get(level, 0)
            if not n or not row.total:
                continue
            seg_width = bar_width * n / row.total
            body.append(
                f'<rect x="{seg_x:.1f}" y="{bar_y:.1f}" width="{seg_width:.1f}" '
                f'height="{bar_height}" fill="{FILLS[level]}" stroke="{MUTED_COLOUR}" '
                f'stroke-width="0.5" data-level="{level}"/>'
            )
            body.append(
                f'<rect x="{seg_x:.1f}" y="{bar_y:.1f}" width="{seg_width:.1f}" '
                f'height="{bar_height}" fill="url(#{pid}-p-{level})"/>'
            )
            if seg_width >= 18:
                body.append(
                    _text(
                        seg_x + seg_width / 2,
                        bar_y + 13.5,
                        ASSESSMENT_SYMBOLS[level],
                        font_family=font_family,
                        size=12,
                        fill=INK[level],
                        anchor="middle",
                        bold=True,
                    )
                )
            seg_x += seg_width
        body.append(_text(bar_width + 8, bar_y + 13.5, summary, font_family=font_family, size=11))
        y += row_height
    description = "; ".join(
        f"{row.label}: {counts_words(row.counts)}" + (f" (av {row.total})" if row.total else "")
        for row in rows
    )
    return _frame(
        chart_id=chart_id,
        width=width,
        height=height,
        title=title,
        description=description,
        body=body,
    )


# --- Trend of one indicator over the years (the overview's goal level) ----------------------


@dataclass
class TrendPoint:
    """One year of an indicator: its outcome, its target and Riket's value (None if missing)."""

    year: int
    outcome: object = None
    target: object = None
    riket: object = None


# (attribute, word, stroke colour, dash pattern, marker): each series differs in line and
# marker as well as colour, so that it reads in grey print and for colour-blind readers.
TREND_SERIES = [
    ("outcome", "Utfall", BAR_COLOUR, "", "circle"),
    ("target", "Målvärde", TEXT_COLOUR, "6 3", "square"),
    ("riket", "Riket", "#6b6b6b", "2 2", "triangle"),
]


def _number(value) -> str:
    return format_swedish_number(Decimal(str(value)).quantize(Decimal("0.01")))


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    if kind == "square":
        return (
            f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
            f'fill="#ffffff" stroke="{colour}" stroke-width="1.5"/>'
        )
    return (
        f'<path d="M{x:.1f},{y - 4.5:.1f} L{x + 4:.1f},{y + 3:.1f} L{x - 4:.1f},{y + 3:.1f} Z" '
        f'fill="{colour}"/>'
    )


def trend_description(points: list[TrendPoint], *, unit: str = "") -> str:
    """The chart's numbers in words, year by year: its text alternative."""
    suffix = f" {unit}" if unit else ""
    years = []
    for point in points:
        parts = [
            f"{word.lower()} {_number(getattr(point, attr))}{suffix}"
            for attr, word, *_rest in TREND_SERIES
            if getattr(point, attr) is not None
        ]
        years.append(f"{point.year}: {', '.join(parts) if parts else 'inga värden'}")
    return "; ".join(years) + "." if years else "Inga värden."


def trend_chart(
    points: list[TrendPoint],
    *,
    title: str,
    unit: str = "",
    chart_id: str = "trend",
    font_family: str = PRINT_FONT,
    width: int = 320,
    height: int = 150,
) -> SafeString:
    """A small line chart of one indicator over the years: outcome, target and Riket.

    A series is drawn only where it has values; a missing year breaks its line. The y axis
    spans the values shown (never a scale that hides the change), labelled at its ends, and
    the description carries every number, year by year (role="img").
    """
    series = [s for s in TREND_SERIES if any(getattr(p, s[0]) is not None for p in points)]
    raw = [getattr(p, attr) for p in points for attr, *_rest in series]
    values = [Decimal(str(v)) for v in raw if v is not None]
    left, right, top, bottom = 46.0, 12.0, 26.0, 22.0
    plot_w, plot_h = width - left - right, height - top - bottom
    body = []
    # Legend: a short stretch of each series' line with its marker, then its word.
    x = 0.0
    for _attr, word, colour, dash, marker in series:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<line x1="{x:.1f}" y1="9" x2="{x + 22:.1f}" y2="9" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        body.append(_marker(marker, x + 11, 9, colour))
        body.append(_text(x + 27, 13, word, font_family=font_family, size=11))
        x += 27 + 6.5 * len(word) + 14
    if not values:
        body.append(
            _text(0, top + 20, "Inga utfall eller målvärden", font_family=font_family, size=11)
        )
    else:
        low, high = min(values), max(values)
        if low == high:
            low, high = low - 1, high + 1
        pad = (high - low) / 10
        low, high = low - pad, high + pad

        def y_of(value) -> float:
            return top + plot_h * float((high - Decimal(str(value))) / (high - low))

        def x_of(i: int) -> float:
            # Inset from the axes, so that no marker sits on an axis line.
            inner = plot_w - 24
            return left + 12 + (inner / 2 if len(points) == 1 else inner * i / (len(points) - 1))

        body.append(
            f'<line x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" y2="{top + plot_h:.1f}" '
            f'stroke="{LINE_COLOUR}" stroke-width="1"/>'
        )
        body.append(
            f'<line x1="{left:.1f}" y1="{top + plot_h:.1f}" x2="{left + plot_w:.1f}" '
            f'y2="{top + plot_h:.1f}" stroke="{LINE_COLOUR}" stroke-width="1"/>'
        )
        for value in (max(values), min(values)):
            body.append(
                _text(
                    left - 5,
                    y_of(value) + 4,
                    _number(value),
                    font_family=font_family,
                    size=10,
                    fill=MUTED_COLOUR,
                    anchor="end",
                )
            )
        for i, point in enumerate(points):
            body.append(
                _text(
                    x_of(i),
                    height - 6,
                    str(point.year),
                    font_family=font_family,
                    size=10,
                    fill=MUTED_COLOUR,
                    anchor="middle",
                )
            )
        # Lines first (broken where a year lacks a value), then the markers on top.
        for attr, _word, colour, dash, _marker_kind in series:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            runs: list[list[str]] = [[]]
            for i, point in enumerate(points):
                value = getattr(point, attr)
                if value is None:
                    runs.append([])
                else:
                    runs[-1].append(f"{x_of(i):.1f},{y_of(value):.1f}")
            for run in runs:
                if len(run) > 1:
                    body.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"{dash_attr}/>'
                    )
        for attr, _word, colour, _dash, marker in series:
            for i, point in enumerate(points):
                value = getattr(point, attr)
                if value is not None:
                    body.append(_marker(marker, x_of(i), y_of(value), colour))
    return _frame(
        chart_id=chart_id,
        width=width,
        height=height,
        title=title,
        description=trend_description(points, unit=unit),
        body=body,
    )
