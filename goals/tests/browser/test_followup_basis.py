"""The follow-up form in the browser: the basis of the suggestion in view, following the
outcomes as they are typed, and a hand-in that lists every gap at once.

The unit head (`enhet`) hands in Enebybergs skola's Delårsrapport 2026 as a user would,
fixing only what the page names, and the attempts and clicks are counted; the committee
editor (`namnd`) types outcomes and sees the suggestion follow; and the script's rule
(static/js/followup-suggest.js) is held to the server's (goals.rules) with the same cases.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations, login

pytestmark = pytest.mark.browser

YEAR = 2026
UNIT = "Enebybergs skola"
UNIT_CODE = "UF-ENS"
OCCASION = "Delårsrapport"
SUGGESTED = "Föreslagen bedömning utifrån indikatorerna: "
OVERRIDE_NOTE = "Bedömningen avviker från förslaget: motivera den nedan."
JUSTIFICATION = "Legitimationerna ökar; två förskollärare blir klara under hösten."


class User:
    """Clicks and keystrokes of a journey: every select, fill and button counts as one."""

    def __init__(self, page):
        self.page = page
        self.clicks = 0
        self.attempts = 0

    def select(self, control, label):
        control.select_option(label=label)
        self.clicks += 1

    def fill(self, control, text):
        control.fill(text)
        self.clicks += 1

    def click(self, control, *, navigates=True):
        self.clicks += 1
        if not navigates:
            control.click()
            return
        with self.page.expect_navigation():
            control.click()

    def submit(self):
        self.attempts += 1
        self.click(self.page.get_by_role("button", name="Spara och lämna in"))


def goal_section(page, code):
    return page.locator("details.goal-section").filter(
        has=page.get_by_role("heading", level=2, name=re.compile(rf"^{re.escape(code)} "))
    )


def field(scope, label):
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \(obligatoriskt\))?$"))


def unit_goals():
    from goals import selectors
    from goals.models import OrgUnit, ReportingOccasion

    occasion = ReportingOccasion.objects.get(plan_year__year=YEAR, name=OCCASION)
    unit = OrgUnit.objects.get(code=UNIT_CODE)
    context = selectors.followup_context(occasion=occasion, unit=unit, submission=None)
    return context["goals"], context["suggestions"]


def test_a_unit_head_hands_in_with_every_gap_listed_at_once(demo, live_server, page):
    from goals.models import Assessment, Submission

    goals, suggestions = unit_goals()
    labels = {value: str(label) for value, label in Assessment.choices}
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server.url, "enhet")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Uppföljning", exact=True
    ).click()
    page.get_by_role("link", name=re.compile(rf"– {OCCASION}, {UNIT}$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(UNIT)
    user = User(page)

    # The basis is on the page: the committee's outcome beside the target, last year's, and
    # whether it is reached, above the suggestion it gives.
    section = goal_section(page, "UN-HK-1")
    teachers = section.get_by_role("row", name=re.compile("^Andel legitimerade förskollärare"))
    expect(teachers).to_contain_text("54")
    expect(teachers).to_contain_text("51,8")
    expect(teachers).to_contain_text("50,1")
    expect(teachers).to_contain_text("✕ Når inte målet", use_inner_text=True)
    expect(section.get_by_role("columnheader", name="Utfall 2025")).to_be_visible()
    expect(section.get_by_text("Föreslagen bedömning utifrån indikatorerna")).to_have_text(
        SUGGESTED + "✕ Ej uppfyllt", use_inner_text=True
    )

    # 1. Everything missing: one attempt names every gap, each a link to its marked field.
    user.submit()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("Uppföljningen kunde inte lämnas in")
    expect(summary.get_by_role("link")).to_have_text(
        [
            text
            for g in goals
            for text in (
                f"{g.code} – Bedömning: Välj en bedömning.",
                f"{g.code} – Prognos för helåret: Välj en prognos för helåret.",
            )
        ]
    )
    assert_no_serious_axe_violations(page)
    summary.get_by_role("link", name=f"{goals[1].code} – Prognos för helåret: Välj").click()
    forecast = field(goal_section(page, goals[1].code), "Prognos för helåret")
    expect(forecast).to_be_focused()
    expect(forecast).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("region", name="Spara och lämna in")).to_contain_text(
        "I det sparade utkastet saknas"
    )

    # 2. The unit head fixes what is listed; assessing the first goal against its suggestion
    # says at once that a justification is needed.
    for index, goal in enumerate(goals):
        section = goal_section(page, goal.code)
        if index == 0:
            other = next(v for v, _label in Assessment.choices if v != suggestions[goal.pk])
            user.select(field(section, "Bedömning"), labels[other])
            expect(section.get_by_text(OVERRIDE_NOTE, exact=True)).to_be_visible()
            user.fill(
                field(section, "Motivering om bedömningen avviker från förslaget"), JUSTIFICATION
            )
        else:
            user.select(field(section, "Bedömning"), labels[suggestions[goal.pk]])
            expect(section.get_by_text(OVERRIDE_NOTE, exact=True)).to_be_hidden()
        user.select(field(section, "Prognos för helåret"), "Delvis uppfyllt")
    user.submit()
    expect(page.get_by_role("status")).to_contain_text("Uppföljningen är inlämnad för granskning.")
    submission = Submission.objects.get(occasion__name=OCCASION, org_unit__code=UNIT_CODE)
    assert submission.state == Submission.State.SUBMITTED
    assert submission.assessments.get(direction_goal=goals[0]).justification == JUSTIFICATION
    # Before: four attempts (bedömning, then Motivera, then prognos, then in), 11 clicks.
    assert (user.attempts, user.clicks) == (2, 2 + 2 * len(goals) + 1), (user.attempts, user.clicks)
    assert not errors, errors


def test_the_suggestion_follows_the_outcomes_as_they_are_typed(demo, live_server, page):
    from goals.models import DirectionGoal, Target

    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    goal = (
        DirectionGoal.objects.filter(committee__code="UN", valid_from__lte=YEAR, valid_to__gte=YEAR)
        .order_by("strategic_area__number", "code")
        .first()
    )
    indicators = list(goal.indicators.order_by("code"))
    assert len(indicators) >= 3, goal.code
    targets = {i.pk: Target.objects.get(indicator=i, year=YEAR).value for i in indicators}
    login(page, live_server.url, "namnd")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Uppföljning", exact=True
    ).click()
    page.get_by_role("link", name="Ej påbörjad – Tertialrapport 1, Utbildningsnämnden").click()
    section = goal_section(page, goal.code)
    suggestion = section.get_by_text("Föreslagen bedömning utifrån indikatorerna")

    def typed(indicator, value: Decimal):
        section.get_by_label(f"Utfall, {indicator.name}", exact=True).fill(
            f"{value}".replace(".", ",")
        )

    def row(indicator):
        return section.get_by_role("row", name=re.compile(rf"^{re.escape(indicator.name)}"))

    def step(indicator):
        return Decimal("0.5") if indicator.higher_is_better else Decimal("-0.5")

    for indicator in indicators:
        typed(indicator, targets[indicator.pk])
    expect(suggestion).to_have_text(SUGGESTED + "● Uppfyllt", use_inner_text=True)
    expect(row(indicators[0])).to_contain_text("● Når målet", use_inner_text=True)
    expect(row(indicators[0])).not_to_contain_text("Når inte målet", use_inner_text=True)
    typed(indicators[0], targets[indicators[0].pk] - step(indicators[0]))
    expect(row(indicators[0])).to_contain_text("✕ Når inte målet", use_inner_text=True)
    expect(suggestion).to_have_text(
        SUGGESTED + "◐ Delvis uppfyllt", use_inner_text=True
    )  # 2 of 3 still reach theirs
    for indicator in indicators[1:]:
        typed(indicator, targets[indicator.pk] - step(indicator))
    expect(suggestion).to_have_text(SUGGESTED + "✕ Ej uppfyllt", use_inner_text=True)
    for indicator in indicators:
        section.get_by_label(f"Utfall, {indicator.name}", exact=True).fill("inget tal")
    expect(suggestion).to_have_text(SUGGESTED + "– Ej bedömt", use_inner_text=True)
    expect(row(indicators[0])).to_contain_text("Utfall saknas", use_inner_text=True)
    # The choice against the suggestion asks for a justification at once.
    field(section, "Bedömning").select_option(label="Uppfyllt")
    expect(section.get_by_text(OVERRIDE_NOTE, exact=True)).to_be_visible()
    field(section, "Bedömning").select_option(label="Ej bedömt")
    expect(section.get_by_text(OVERRIDE_NOTE, exact=True)).to_be_hidden()
    assert_no_serious_axe_violations(page)
    assert not errors, errors


# The server's suggestion cases (goals/tests/test_cycle.py) and typed texts, as the script
# must read them: (value, target, higher is better) and the suggestion.
RULE_CASES = [
    ([], "not_assessed"),
    ([(None, "10", True), ("5", None, True)], "not_assessed"),
    ([("10", "10", True)], "fulfilled"),
    ([("9,99", "10", True)], "not_fulfilled"),
    ([("10", "10", False), ("9", "10", False)], "fulfilled"),
    ([("11", "10", False)], "not_fulfilled"),
    ([("10", "10", True), ("1", "10", True)], "partly"),
    ([("10", "10", True), ("1", "10", True), ("1", "10", True)], "not_fulfilled"),
    ([("10", "10", True), ("10", "10", True), ("1", "10", True)], "partly"),
    ([("10", "10", True), (None, "10", True)], "fulfilled"),
    ([("91,00", "91.00", True), ("1 234,5", "1234.50", False)], "fulfilled"),
    ([("54,004", "54.00", True)], "not_assessed"),  # three decimals: no number to the form
]
TYPED = [
    "1 234,5",
    "1\u00a0234,5",
    "91",
    "91,00",
    "-0,25",
    "\u22123",
    "+5",
    ",5",
    "5,",
    "1e3",
    "1E-2",
    "1_000",
    "1,234",
    "1,2,3",
    "abc",
    "",
    " ",
    ",",
    "-",
    "Infinity",
    "NaN",
    "999999999999,99",
    "9999999999999",
    "0,001",
    "0,00",
    "1e12",
    "0x10",
]


def test_the_script_applies_the_servers_rule(demo, live_server, page):
    from core.forms import SwedishDecimalField
    from goals import rules

    form_field = SwedishDecimalField(required=False, max_digits=14, decimal_places=2)

    def server_value(text):
        try:
            return form_field.clean(text)
        except Exception:
            return None

    login(page, live_server.url, "namnd")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Uppföljning", exact=True
    ).click()
    page.get_by_role("link", name="Ej påbörjad – Tertialrapport 1, Utbildningsnämnden").click()
    # A deferred script has run by the load event (wait_for_function would need eval,
    # which the page's CSP forbids).
    page.wait_for_load_state("load")
    assert page.evaluate("() => typeof window.styrFollowupSuggest") == "object"

    script = """([pairs]) => {
        const s = window.styrFollowupSuggest;
        const statuses = pairs.map(([v, t, h]) =>
            s.targetStatus(s.parseOutcome(v), t === null ? null : s.parseOutcome(t), h));
        return [s.suggest(statuses), statuses];
    }"""
    for pairs, expected in RULE_CASES:
        values = [
            (server_value(v) if v is not None else None, Decimal(t) if t else None, h)
            for v, t, h in pairs
        ]
        assert rules.suggest_assessment(values) == expected, pairs
        suggestion, statuses = page.evaluate(script, [pairs])
        assert suggestion == expected, (pairs, suggestion)
        assert statuses == [
            rules.target_status(value=v, target=t, higher_is_better=h) for v, t, h in values
        ], pairs

    # Each typed text: a number to the server is the same number to the script (equal to
    # itself read back from the server's value), and no number to one is none to the other.
    read = """([typed, exact]) => {
        const s = window.styrFollowupSuggest;
        const v = s.parseOutcome(typed);
        if (v === null) return null;
        const t = s.parseOutcome(exact);
        return [s.targetStatus(v, t, true), s.targetStatus(v, t, false)];
    }"""
    for text in TYPED:
        value = server_value(text)
        exact = None if value is None else format(value, "f")
        answer = page.evaluate(read, [text, exact or "0"])
        if value is None:
            assert answer is None, (text, answer)
        else:
            assert answer == ["reached", "reached"], (text, value, answer)
