"""What the reports say and how they read (issue 19, points 4–8 and 14): charts with their
numbers, bars to 100 % in a palette that survives colour blindness and grey print, the
goal overview failing first, trends that say good or bad, units not handed in named so, and
the summary of a large municipality that stays inside its pages.
"""

import itertools
import re
from decimal import Decimal

import lxml.html
import pytest
import weasyprint
from django.db import transaction
from django.utils import timezone
from fontTools.ttLib import TTFont

from demo.large import load_large
from goals import charts
from goals.models import OrgUnit, ReportingOccasion
from reporting import render
from reporting.sections import _trend

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _annual():
    return ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")


def _tertial():
    return ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")


def _html(kind, occasion, org_unit):
    data = render.gather(kind=kind, occasion=occasion, org_unit=org_unit)
    html = render.render_html(kind=kind, data=data, generated_at=timezone.now())
    return data, lxml.html.fromstring(html)


def _words(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


# --- 6: bars and palette -------------------------------------------------------------------


def _linear(hex_colour: str) -> list[float]:
    def one(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return [one(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5)]


def _luminance(rgb) -> float:
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def _lab(rgb) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


# Machado, Oliveira & Fernandes (2009), deuteranopia at severity 1.0, on linear RGB.
DEUTERANOPIA = [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.011820, 0.042940, 0.968881],
]


def _deuteranope(rgb):
    return [sum(DEUTERANOPIA[i][j] * rgb[j] for j in range(3)) for i in range(3)]


def _contrast(a, b) -> float:
    low, high = sorted([_luminance(a), _luminance(b)])
    return (high + 0.05) / (low + 0.05)


def test_bar_fills_differ_in_lightness_also_for_deuteranopes_and_in_grey():
    levels = charts.LEVELS
    for a, b in itertools.combinations(levels, 2):
        seen = _lab(_deuteranope(_linear(charts.FILLS[a])))
        other = _lab(_deuteranope(_linear(charts.FILLS[b])))
        assert abs(seen[0] - other[0]) >= 15, (a, b)  # apart in grey print too
        assert sum((p - q) ** 2 for p, q in zip(seen, other, strict=True)) ** 0.5 >= 30, (a, b)
    for level in levels:
        # The symbol and the pattern on a segment stand out from its fill.
        assert _contrast(_linear(charts.INK[level]), _linear(charts.FILLS[level])) >= 4.5, level


def _segments(svg: str) -> list[tuple[str, float]]:
    return [
        (level, float(width))
        for width, level in re.findall(
            r'width="([\d.]+)" height="18" fill="#\w+" '
            r'stroke="[^"]+" stroke-width="0.5" data-level="(\w+)"',
            svg,
        )
    ]


def test_each_bar_fills_its_own_row_and_every_segment_carries_a_pattern():
    svg = charts.fulfilment_chart(
        [
            charts.ChartRow("Stor nämnd", {"fulfilled": 30, "partly": 9, "not_fulfilled": 1}),
            charts.ChartRow("Liten nämnd", {"fulfilled": 1}),
        ],
        title="Måluppfyllelse per nämnd",
        chart_id="t",
    )
    segments = _segments(svg)
    big = sum(w for _level, w in segments[:3])
    small = segments[3][1]
    assert small == pytest.approx(big, abs=0.3)  # "1 av 1" is a whole bar, not a fortieth
    # Even the narrow "ej uppfyllt" segment (1 of 40) has its pattern over the fill.
    for level in ("fulfilled", "partly", "not_fulfilled"):
        assert f'fill="url(#t-p-{level})"' in svg
    assert len(segments) == 4
    # One pattern per segment, and one per swatch of the legend.
    assert svg.count('fill="url(#t-p-') == len(segments) + len(charts.LEVELS)


def _advance(font, text: str, size: float) -> float:
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    units = font["head"].unitsPerEm
    return sum(hmtx[cmap.get(ord(ch), ".notdef")][0] for ch in text) * size / units


def test_no_count_is_clipped_at_the_right_edge_of_the_chart():
    font = TTFont(DEJAVU)
    rows = [
        charts.ChartRow(
            f"Storstadens nämnd {n:02d}",
            {"fulfilled": 12 + n, "partly": 10, "not_fulfilled": 11, "not_assessed": 10},
        )
        for n in range(37)
    ]
    svg = charts.fulfilment_chart(rows, title="Måluppfyllelse per nämnd", chart_id="t")
    width = float(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))
    texts = re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" font-family="[^"]+" font-size="(\d+)" fill="[^"]+" '
        r'text-anchor="start"( font-weight="bold")?>([^<]+)</text>',
        svg,
    )
    counts = [t for t in texts if "(av " in t[3]]
    assert len(counts) == 37
    for x, size, _bold, text in counts:
        assert float(x) + _advance(font, text.replace("&amp;", "&"), int(size)) <= width, text


# --- 4: every chart's numbers as text beside it --------------------------------------------


@pytest.mark.parametrize("which", ["municipality", "committee", "plan"])
def test_every_chart_has_its_numbers_in_a_table_beside_it(db, which):
    if which == "plan":
        occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Verksamhetsplan")
    else:
        occasion = _annual()
    kind = "municipality" if which == "municipality" else "committee"
    unit = None if kind == "municipality" else OrgUnit.objects.get(code="UN")
    data, doc = _html(kind, occasion, unit)
    figures = doc.xpath('//figure[contains(@class, "chart")]')
    assert figures
    for figure in figures:
        table = figure.xpath(
            'following-sibling::table[contains(concat(" ", @class, " "), " chart-data ")][1]'
        )
        assert table, _words(figure)[:80]
        table_text = _words(table[0])
        labels = re.findall(r"<title[^>]*>", lxml.html.tostring(figure, encoding="unicode"))
        assert labels  # the SVG still names itself for screen readers
        desc = figure.xpath(".//*[local-name()='desc']")[0].text
        for part in desc.split("; "):
            label, _sep, numbers = part.partition(": ")
            assert label in table_text
            for n in re.findall(r"\d+", numbers):
                assert n in table_text, (label, n)
    table = doc.xpath('//table[contains(@class, "chart-data")]')[0]
    cells = {
        _words(tr.xpath("th")[0]): [_words(td) for td in tr.xpath("td")]
        for tr in table.xpath(".//tbody/tr")
    }
    for row in data["summary"]["by_area"]:
        if which == "plan":
            assert cells[row["label"]] == [str(row["count"])]
        else:
            c = row["counts"]
            expected = [c["fulfilled"], c["partly"], c["not_fulfilled"], c["not_assessed"]]
            assert cells[row["label"]] == [str(n) for n in [*expected, sum(expected)]]


# --- 7: Sammanställning måluppfyllelse -----------------------------------------------------


def test_goal_overview_lists_every_goal_with_symbol_and_word_failing_first(db):
    data, doc = _html("municipality", _annual(), None)
    goals = data["summary"]["goals"]
    assert len(goals) == sum(sec["goal_count"] for sec in data["committees"]) > 0
    order = ["not_fulfilled", "partly", "not_assessed", "fulfilled"]
    ranks = [order.index(g["level"]["level"]) for g in goals]
    assert ranks == sorted(ranks)
    assert {g["level"]["level"] for g in goals} >= {"fulfilled", "partly"}
    overview = doc.xpath('//section[@class="goal-overview"]')
    assert overview and _words(overview[0]).startswith("Sammanställning måluppfyllelse")
    rows = overview[0].xpath(".//tbody/tr")
    assert len(rows) == len(goals)
    for tr, goal in zip(rows, goals, strict=True):
        text = _words(tr)
        assert goal["code"] in text and goal["committee"] in text
        assert text.endswith(f"{goal['level']['symbol']} {goal['level']['label']}")
    # And per nämnd, in each committee's chapter.
    for section in data["committees"]:
        chapter = doc.xpath(f'//section[@id="{section["anchor"]}"]')[0]
        per_committee = chapter.xpath('.//section[@class="goal-overview"]//tbody/tr')
        assert len(per_committee) == section["goal_count"]


# --- 8: trend says good or bad --------------------------------------------------------------


def test_trend_says_better_or_worse_by_the_indicators_direction():
    down, up = Decimal("12.5"), Decimal("14")
    turnover = _trend(down, up, higher_is_better=False)  # personalomsättning sjunker
    assert (turnover["arrow"], turnover["verdict_word"]) == ("↓", "bättre")
    grades = _trend(down, up, higher_is_better=True)
    assert (grades["arrow"], grades["verdict_word"]) == ("↓", "sämre")
    assert _trend(up, down, higher_is_better=False)["verdict_word"] == "sämre"
    assert _trend(up, up, higher_is_better=True)["verdict_word"] == ""


def test_the_report_prints_the_verdict_beside_the_arrow(db):
    data, doc = _html("committee", _annual(), OrgUnit.objects.get(code="UN"))
    trends = [
        ind["trend"]
        for area in data["committees"][0]["areas"]
        for goal in area["goals"]
        for ind in goal["indicators"]
        if ind["trend"] and ind["trend"]["verdict_word"]
    ]
    assert trends
    cells = [_words(span) for span in doc.xpath('//span[starts-with(@class, "trend")]')]
    assert cells == [f"{t['arrow']}{t['verdict_word']}" for t in trends] or cells == [
        f"{t['arrow']} {t['verdict_word']}" for t in trends
    ]


# --- 14: a unit not handed in says so ------------------------------------------------------


def test_a_unit_not_handed_in_is_never_just_ej_paborjad(db):
    seen = []
    for occasion in (_annual(), _tertial()):
        data = render.gather(kind="municipality", occasion=occasion, org_unit=None)
        for section in data["committees"]:
            for unit in section["units"]:
                seen.append(unit["followup_state"])
    assert seen
    handed_in = {"Inlämnad", "Godkänd", "Publicerad"}
    not_handed_in = [s for s in seen if s not in handed_in]
    assert not_handed_in  # the demo has units that have not handed in
    for state in not_handed_in:
        assert state.endswith("– inte inlämnad"), state


# --- 5: the large municipality's summary stays inside its pages ---------------------------


def _overflows(document) -> list[str]:
    """Boxes below the bottom of their page's content area (over the footer)."""
    found = []
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        bottom = page_box.content_box_y() + page_box.height
        stack = [child for child in page_box.children if type(child).__name__ != "MarginBox"]
        while stack:
            box = stack.pop()
            y, height = getattr(box, "position_y", None), None
            if y is not None and hasattr(box, "margin_height"):
                height = box.margin_height()
            if height and y + height - box.margin_bottom > bottom + 0.5:
                found.append(
                    f"sida {number}: {type(box).__name__} {getattr(box, 'element_tag', '')}"
                )
            stack.extend(getattr(box, "children", []))
    return found


def test_the_summary_at_37_committees_stays_inside_the_page_box(db):
    with transaction.atomic():
        savepoint = transaction.savepoint()
        try:
            load_large(
                committees=30,
                units=30,
                direction_goals=90,
                indicators=90,
                activities=30,
                years=2,
                stdout=open("/dev/null", "w"),  # noqa: SIM115
            )
            occasion = (
                ReportingOccasion.objects.filter(
                    kind=ReportingOccasion.Kind.ANNUAL_REPORT,
                    submissions__org_unit__code__startswith="ST-",
                )
                .order_by("-plan_year__year")
                .first()
            )
            data = render.gather(kind="municipality", occasion=occasion, org_unit=None)
            assert len(data["summary"]["by_committee"]) == 37
            html = render.render_html(kind="municipality", data=data, generated_at=timezone.now())
            # The front matter only: cover, contents, vision and the summary.
            html = html[: html.index('<section class="committee"')] + "</body></html>"
            document = weasyprint.HTML(
                string=html,
                base_url=render.static_base_url(),
                url_fetcher=render.StaticFilesURLFetcher(),
            ).render()
        finally:
            transaction.savepoint_rollback(savepoint)
    assert _overflows(document) == []
    # The heading "Måluppfyllelse per nämnd" never ends a page: its chart follows on the page.
    for page in document.pages:
        texts = []
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if getattr(box, "element_tag", "") in ("h2", "figure", "table", "p"):
                texts.append((box.position_y, box.element_tag, box))
            stack.extend(getattr(box, "children", []))
        texts.sort(key=lambda t: t[0])
        if texts and texts[-1][1] == "h2":
            pytest.fail("En rubrik står ensam sist på en sida.")
    svgs = [
        box
        for page in document.pages
        for box in _descendants(page._page_box)
        if type(box).__name__ == "InlineReplacedBox"
    ]
    assert len(svgs) >= 4  # per area, and the 37 committees in chunks


def _descendants(box):
    stack = [box]
    while stack:
        box = stack.pop()
        yield box
        stack.extend(getattr(box, "children", []))


# --- 13: "Fastställd" only with a recorded adoption -----------------------------------------


def _cover(kind, occasion, unit) -> str:
    _data, doc = _html(kind, occasion, unit)
    return _words(doc.xpath('//section[@class="cover"]')[0])


def test_cover_says_fastalld_only_when_the_adoption_is_recorded(client_for):
    from goals.models import Submission

    approved = Submission.objects.filter(
        state=Submission.State.APPROVED, org_unit__kind=OrgUnit.Kind.COMMITTEE
    ).first()
    assert approved is not None
    client = client_for("klk")
    url = f"/granskning/{approved.pk}/"
    # Asked first: the confirmation has the adoption's fields.
    page = client.post(url, {"action": "publish"}).content.decode()
    assert 'name="adopted_by"' in page and 'name="adoption_dnr"' in page
    # A body without a date: the form comes back with the error and what was typed.
    page = client.post(
        url, {"action": "publish", "bekraftat": "1", "adopted_by": "Nämnden X"}
    ).content.decode()
    assert "Skriv datumet för beslutet" in page and 'value="Nämnden X"' in page
    approved.refresh_from_db()
    assert approved.state == Submission.State.APPROVED  # nothing published
    body = approved.org_unit.name
    response = client.post(
        url,
        {
            "action": "publish",
            "bekraftat": "1",
            "adopted_by": body,
            "adopted_on": "2026-05-20",
            "adoption_paragraph": "45",
            "adoption_dnr": "2026/123",
        },
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.state == Submission.State.PUBLISHED
    assert approved.history.first().adoption_dnr == "2026/123"  # kept with its history
    cover = _cover("committee", approved.occasion, approved.org_unit)
    assert f"Fastställd av {body} 20 maj 2026, § 45, Dnr 2026/123" in cover


def test_a_published_report_without_adoption_says_publicerad(db):
    cover = _cover("committee", _annual(), OrgUnit.objects.get(code="KS"))
    assert "Publicerad" in cover and "Fastställd" not in cover


# --- 11: Ekonomi -----------------------------------------------------------------------------


def _delar_sn():
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Delårsrapport")
    return occasion, OrgUnit.objects.get(code="SN")


def _cells(table) -> dict[str, list[str]]:
    return {
        _words(tr.xpath("th")[0]): [_words(td) for td in tr.xpath("td")]
        for tr in table.xpath(".//tbody/tr")
    }


def test_economy_has_revenue_cost_net_last_year_change_and_action_plan(db):
    from goals.models import Submission
    from goals.templatetags.styr import sv_number

    occasion, sn = _delar_sn()
    submission = Submission.objects.get(occasion=occasion, org_unit=sn)
    last_year = Submission.objects.get(
        org_unit=sn, occasion__plan_year__year=2025, occasion__name="Verksamhetsberättelse"
    )
    tertial = Submission.objects.get(org_unit=sn, occasion=_tertial())
    assert submission.forecast_tkr > submission.budget_frame_tkr  # the demo's deficit
    data, doc = _html("committee", occasion, sn)
    chapter = doc.xpath(f'//section[@id="{data["committees"][0]["anchor"]}"]')[0]
    economy = chapter.xpath('.//section[@class="economy-section"]')[0]
    tables = economy.xpath(".//table")
    rows = _cells(tables[0])

    def tkr(value):
        return sv_number(value, 1).replace("\u00a0", " ")

    assert rows["Intäkter"][:3] == [
        tkr(submission.revenue_budget_tkr),
        tkr(submission.revenue_outcome_tkr),
        tkr(submission.revenue_forecast_tkr),
    ]
    assert rows["Kostnader"][:3] == [
        tkr(submission.cost_budget_tkr),
        tkr(submission.cost_outcome_tkr),
        tkr(submission.cost_forecast_tkr),
    ]
    net = rows["Nettokostnad"]
    deficit = submission.budget_frame_tkr - submission.forecast_tkr
    assert net == [
        tkr(submission.budget_frame_tkr),
        tkr(submission.outcome_tkr),
        tkr(submission.forecast_tkr),
        tkr(deficit),
        tkr(last_year.outcome_tkr),
    ]
    assert net[3].startswith("\u2212")  # a true minus sign
    text = _words(economy)
    change = tkr(submission.forecast_tkr - tertial.forecast_tkr)
    assert f"har ändrats med {change} tkr sedan förra prognosen" in text
    # The deficit brings the åtgärdsplan right under the table.
    assert "Åtgärdsplan" in text and submission.action_plan in text
    assert text.index("Åtgärdsplan") > text.index("Nettokostnad")
    assert _cells(tables[1])["Investeringar"][0] == tkr(submission.investment_budget_tkr)
    summary = _words(doc.xpath('//section[@id="sammanfattning"]')[0])
    assert "Nämndens prognos för helåret visar ett underskott på" in summary


def test_municipality_economy_in_mnkr_with_a_sentence(db):
    from goals.models import Submission

    annual = _annual()
    data, doc = _html("municipality", annual, None)
    submissions = Submission.objects.filter(occasion=annual, org_unit__kind=OrgUnit.Kind.COMMITTEE)
    budget = sum(s.budget_frame_tkr for s in submissions)
    assert budget > 0  # every demo committee has figures
    summary = doc.xpath('//section[@id="sammanfattning"]')[0]
    text = _words(summary)
    assert "Ekonomi per nämnd (mnkr)" in text
    assert re.search(
        r"Nämndernas utfall för året visar ett (över|under)skott på [\d ,]+ mnkr", text
    )
    total = summary.xpath('.//table[contains(@class, "economy")]//tfoot/tr/td')[0]
    from goals.templatetags.styr import sv_number

    assert _words(total) == sv_number(budget / 1000, 1).replace("\u00a0", " ")


def test_economy_and_events_are_saved_with_history(db):
    from goals import cycle
    from goals.models import Submission

    user = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
    admin = user.objects.get(username="admin")
    occasion, sn = _delar_sn()
    submission = Submission.objects.get(occasion=occasion, org_unit=sn)
    submission.state = Submission.State.DRAFT
    submission.save()
    data = cycle.FollowUpInput(
        analysis="Analys.",
        budget_frame_tkr=Decimal("100"),
        more={
            "revenue_budget_tkr": Decimal("12.5"),
            "investment_forecast_tkr": Decimal("7"),
            "action_plan": "Vi minskar kostnaderna.",
            "important_events": "Ett nytt boende öppnade.",
        },
    )
    saved = cycle.followup_save(
        submission=submission, user=admin, base_version=submission.version, data=data
    )
    saved.refresh_from_db()
    assert saved.revenue_budget_tkr == Decimal("12.5")
    assert saved.important_events == "Ett nytt boende öppnade."
    last = saved.history.first()
    assert last.action_plan == "Vi minskar kostnaderna." and last.history_user == admin


# --- 9: Viktiga händelser --------------------------------------------------------------------


def test_important_events_are_written_text_and_done_activities_a_table(db):
    occasion, sn = _delar_sn()
    data = render.gather(kind="committee", occasion=occasion, org_unit=sn)
    section = data["committees"][0]
    assert section["important_events"]
    html = render.render_html(kind="committee", data=data, generated_at=timezone.now())
    doc = lxml.html.fromstring(html)
    chapter = doc.xpath(f'//section[@id="{section["anchor"]}"]')[0]
    text = _words(chapter)
    start = text.index("Viktiga händelser")
    assert text.index(section["important_events"]) > start
    done = chapter.xpath('.//table[@class="done-activities"]//tbody/tr')
    assert len(done) == len(section["done_activities"]) > 0
    assert not chapter.xpath('.//ul[@class="events-list"]')
    # Many completed activities: a sentence in place, the table at the chapter's end.
    many = [{"title": f"Aktivitet {n}", "unit": "Enhet"} for n in range(40)]
    data["committees"][0]["done_activities"] = many
    doc = lxml.html.fromstring(
        render.render_html(kind="committee", data=data, generated_at=timezone.now())
    )
    chapter = doc.xpath(f'//section[@id="{section["anchor"]}"]')[0]
    assert "40 aktiviteter är rapporterade som genomförda" in _words(chapter)
    appendix = chapter.xpath('.//section[@class="done-appendix"]')
    assert appendix and len(appendix[0].xpath(".//tbody/tr")) == 40
    # It comes after the review status: the chapter reads first, the list is for reference.
    assert _words(chapter).index("Granskningsstatus") < _words(chapter).index(
        "Genomförda aktiviteter under perioden (40)"
    )


# --- 10: headings, minus sign, hyphenation ---------------------------------------------------


def test_minus_sign_is_true_minus():
    from goals.templatetags.styr import sv_number

    assert sv_number(Decimal("-0.6"), 1) == "\u22120,6"
    assert sv_number(Decimal("-15432.5"), 1) == "\u221215\u00a0432,5"


@pytest.mark.parametrize("name", ["Delårsrapport", "Verksamhetsplan"])
def test_headings_nest_without_skipping_a_level(db, name):
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name=name)
    _data, doc = _html("committee", occasion, OrgUnit.objects.get(code="SN"))
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert 4 in levels or 3 in levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, (before, after)
    # The strategic area is one level below the heading it stands under, the goal one below it:
    # "Måluppfyllelse" (H2) > area (H3) > goal (H4) in a follow-up, committee (H1) > area (H2)
    # > goal (H3) in a plan.
    headings = list(doc.iter("h1", "h2", "h3", "h4", "h5", "h6"))
    area = next(h for h in headings if "area__title" in h.get("class", ""))
    above = headings[headings.index(area) - 1]
    goal = headings[headings.index(area) + 1]
    if name == "Verksamhetsplan":
        assert (area.tag, goal.tag) == ("h2", "h3") and above.tag in ("h1", "h2", "h3")
    else:
        assert (_words(above), above.tag, area.tag, goal.tag) == (
            "Måluppfyllelse",
            "h2",
            "h3",
            "h4",
        )


def test_no_hyphen_u2010_in_the_text_layer(db):
    import io

    from pypdf import PdfReader

    occasion, sn = _delar_sn()
    rendered = render.render_report(kind="committee", occasion=occasion, org_unit=sn)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert "\u2010" not in text
    assert "Socialnämnden" in text


# --- 12: Kommentar, Prognos helår and Riket in the indicator tables -------------------------


def test_indicator_table_has_comment_forecast_and_riket_columns(db):
    from goals.models import Measurement, ReferenceValue

    occasion, sn = _delar_sn()
    data = render.gather(kind="committee", occasion=occasion, org_unit=sn)
    goal = next(g for a in data["committees"][0]["areas"] for g in a["goals"] if g["indicators"])
    from goals.models import Indicator

    indicator = Indicator.objects.get(code=goal["indicators"][0]["code"])
    Measurement.objects.update_or_create(
        indicator=indicator,
        occasion=occasion,
        defaults={"value": Decimal("71.5"), "comment": "Mätt i juni.", "forecast": Decimal("-2.5")},
    )
    ReferenceValue.objects.update_or_create(
        indicator=indicator,
        year=2025,
        area_code="0000",
        defaults={"area_name": "Riket", "value": Decimal("64.2"), "fetched_at": timezone.now()},
    )
    data, doc = _html("committee", occasion, sn)
    row = next(
        tr
        for tr in doc.xpath('//table[@class="indicators"]//tbody/tr')
        if _words(tr.xpath("th")[0]).startswith(indicator.name)
    )
    table = row.xpath("ancestor::table")[0]
    headers = [_words(th) for th in table.xpath(".//thead/tr/th")]
    cells = dict(zip(headers, [_words(c) for c in row.xpath("th|td")], strict=True))
    assert cells["Prognos helår"] == "\u22122,5"
    assert cells["Riket"] == "64,2 (2025)"
    assert cells["Kommentar"] == "Mätt i juni."
    assert headers[-1] == "Kommentar"
    # At year end there is no forecast column.
    _data, annual = _html("committee", _annual(), sn)
    for table in annual.xpath('//table[@class="indicators"]'):
        assert "Prognos helår" not in _words(table.xpath(".//thead")[0])
