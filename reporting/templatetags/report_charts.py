"""The summary's charts drawn from the report data, in chunks that fit a page.

An SVG cannot break across pages: at 37 committees one chart of every committee ran off the
page over the footer. Drawn in chunks of ROWS_PER_CHART rows, each chunk fits on a page and
the page may break between them; the heading stays with the first (print.css).
"""

from decimal import Decimal

from django import template

from goals import charts
from goals.templatetags.styr import sv_number

register = template.Library()

ROWS_PER_CHART = 12


def chunks(rows: list, size: int = ROWS_PER_CHART) -> list[list]:
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]


@register.simple_tag
def chunked_chart(rows, *, title: str, chart_id: str, plan: bool = False) -> list:
    """The rows (summary by_area/by_committee) as one SVG per chunk, titled "(1 av 3)" …"""
    parts = chunks(list(rows))
    figures = []
    for n, part in enumerate(parts, 1):
        part_title = title if len(parts) == 1 else f"{title} ({n} av {len(parts)})"
        part_id = chart_id if n == 1 else f"{chart_id}-{n}"
        if plan:
            svg = charts.count_chart(
                [(row["label"], row["count"]) for row in part],
                title=part_title,
                unit="inriktningsmål",
                chart_id=part_id,
            )
        else:
            svg = charts.fulfilment_chart(
                [charts.ChartRow(row["label"], row["counts"]) for row in part],
                title=part_title,
                chart_id=part_id,
            )
        figures.append(svg)
    return figures


@register.filter
def mnkr(value) -> str:
    """Decimal text in tkr as mnkr, Swedish format with one decimal: "1234567.5" → "1 234,6"."""
    if value in (None, ""):
        return ""
    return sv_number(Decimal(value) / 1000, 1)


@register.filter
def has_key(rows, key: str) -> bool:
    """Whether any of the rows (dicts) has a value under `key`: a column shown only then."""
    return any(row.get(key) for row in rows or [])
