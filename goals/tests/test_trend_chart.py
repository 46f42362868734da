"""The overview's trend chart (goals.charts.trend_chart): a small server-drawn SVG that the
strict CSP lets through, whose text alternative carries every number."""

import re
from decimal import Decimal

from goals.charts import WEB_FONT, TrendPoint, trend_chart

POINTS = [
    TrendPoint(2023, Decimal("85"), Decimal("80"), Decimal("82")),
    TrendPoint(2024, None, Decimal("85"), Decimal("83.5")),
    TrendPoint(2025, Decimal("90.5"), Decimal("88"), None),
    TrendPoint(2026, Decimal("87"), Decimal("90"), None),
]


def test_the_description_reads_every_year_with_its_numbers():
    svg = trend_chart(POINTS, title="Nöjdhet (%)", unit="%", chart_id="t")
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg)[1]
    assert desc == (
        "2023: utfall 85 %, målvärde 80 %, riket 82 %; "
        "2024: målvärde 85 %, riket 83,5 %; "
        "2025: utfall 90,5 %, målvärde 88 %; "
        "2026: utfall 87 %, målvärde 90 %."
    )
    assert 'role="img"' in svg and 'aria-labelledby="t-title t-desc"' in svg


def test_a_missing_year_breaks_the_line_and_each_series_has_its_legend():
    svg = trend_chart(POINTS, title="T", font_family=WEB_FONT)
    lines = re.findall(r'<polyline points="([^"]+)"', svg)
    # Outcome: 2023 alone, then 2025–2026; target: all four; Riket: 2023–2024.
    assert sorted(len(p.split()) for p in lines) == [2, 2, 4]
    assert all(word in svg for word in (">Utfall<", ">Målvärde<", ">Riket<"))
    for year in ("2023", "2024", "2025", "2026"):
        assert f">{year}</text>" in svg


def test_without_riket_there_is_no_riket_series():
    svg = trend_chart([TrendPoint(2026, Decimal("5"), Decimal("4"))], title="T")
    assert ">Riket<" not in svg and "riket" not in svg


def test_the_svg_needs_no_inline_style_or_script_and_names_its_font():
    svg = trend_chart(POINTS, title="T")
    assert "style=" not in svg and "<script" not in svg
    texts = re.findall(r"<text [^>]*>", svg)
    assert texts and all("font-family=" in t for t in texts)


def test_no_values_says_so():
    svg = trend_chart([], title="T")
    assert "Inga utfall eller målvärden" in svg and "Inga värden." in svg
