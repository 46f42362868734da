"""Wherever a target is shown (the chain, a committee's plan, a unit's plan, a goal and an
indicator page), the latest outcome stands beside it with reached or not as symbol and word,
judged by the one rule (rules.target_status) in the indicator's direction."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from goals.models import (
    DirectionGoal,
    Indicator,
    Measurement,
    OperationalPlan,
    ReportingOccasion,
    Submission,
    Target,
)

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def indicators():
    """Three indicators of one of Utbildningsnämnden's goals: one below its target where higher
    is better, one below its target where lower is better, one without any outcome."""
    goal = (
        DirectionGoal.objects.filter(
            committee__code="UN", archived=False, valid_from__lte=YEAR, valid_to__gte=YEAR
        )
        .order_by("code")
        .first()
    )
    occasion = ReportingOccasion.objects.get(plan_year__year=YEAR, name="Tertialrapport 1")
    made = {}
    for code, name, higher, value in [
        ("T-HOGRE", "Provindikator högre bättre", True, Decimal("8")),
        ("T-LAGRE", "Provindikator lägre bättre", False, Decimal("8")),
        ("T-INGET", "Provindikator utan utfall", True, None),
    ]:
        indicator = Indicator.objects.create(
            direction_goal=goal, code=code, name=name, unit_of_measure="st", higher_is_better=higher
        )
        Target.objects.create(indicator=indicator, year=YEAR, value=Decimal("10"))
        if value is not None:
            Measurement.objects.create(indicator=indicator, occasion=occasion, value=value)
        made[code] = indicator
    made["goal"] = goal
    return made


def row_of(html: str, name: str) -> str:
    """The table row (or list item) that names the indicator, tags stripped."""
    for chunk in re.findall(r"<tr>.*?</tr>|<li>.*?</li>", html, re.S):
        if name in chunk:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", chunk))
    raise AssertionError(f"{name} not on the page")


def assert_three_judged(html: str) -> None:
    higher = row_of(html, "Provindikator högre bättre")
    assert "8" in higher and "Tertialrapport 1 2026" in higher
    assert "✕ Når inte målet" in higher and "Når målet" not in higher.replace("Når inte", "")
    lower = row_of(html, "Provindikator lägre bättre")
    assert "● Når målet" in lower and "Når inte målet" not in lower
    assert "lägre är bättre" in lower
    assert "Utfall saknas" in row_of(html, "Provindikator utan utfall")


def test_the_chain_shows_each_indicators_outcome_beside_its_target(client_for, indicators):
    html = client_for("politiker").get(reverse("chain"), {"ar": YEAR, "namnd": "UN"})
    assert_three_judged(html.content.decode())


def test_the_committee_plan_shows_outcome_beside_target(client_for, indicators):
    html = client_for("namnd").get(reverse("plan_committee", args=["UN"]), {"ar": YEAR})
    assert_three_judged(html.content.decode())


def test_the_unit_plan_shows_its_committees_targets_with_outcome(client_for, indicators):
    plan = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__year=YEAR)
    html = client_for("enhet").get(plan.get_absolute_url()).content.decode()
    assert_three_judged(html)
    # The activity form lists the same targets, with the same judgement.
    html = client_for("enhet").get(reverse("plan_activity_create", args=[plan.pk]))
    assert_three_judged(html.content.decode())


def test_the_goal_page_shows_the_latest_outcome_against_its_years_target(client_for, indicators):
    url = indicators["goal"].get_absolute_url()
    assert_three_judged(client_for("klk").get(url, {"ar": YEAR}).content.decode())


def test_the_indicator_page_judges_each_years_target(client_for, indicators):
    html = client_for("klk").get(indicators["T-LAGRE"].get_absolute_url()).content.decode()
    targets = html.split(">Målvärden</h2>", 1)[1].split("</table>", 1)[0]
    row = row_of(targets, str(YEAR))
    assert "Tertialrapport 1 2026" in row and "● Når målet" in row


def test_an_older_outcome_is_judged_against_its_own_years_target(client_for, indicators):
    """A 2025 outcome is never held against the 2026 target: the page says which it met."""
    indicator = indicators["T-INGET"]
    Target.objects.create(indicator=indicator, year=YEAR - 1, value=Decimal("5"))
    annual = ReportingOccasion.objects.get(plan_year__year=YEAR - 1, name="Verksamhetsberättelse")
    # Published follow-ups refuse new outcomes through save(): as if it had been there then.
    Measurement.objects.bulk_create(
        [Measurement(indicator=indicator, occasion=annual, value=Decimal("6"))]
    )
    html = client_for("politiker").get(reverse("chain"), {"ar": YEAR, "namnd": "UN"})
    row = row_of(html.content.decode(), "Provindikator utan utfall")
    assert "Verksamhetsberättelse 2025" in row
    assert "● Når målet" in row and "mot målvärde 2025: 5" in row


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("page", "who"),
    [
        ("chain", "politiker"),
        ("committee_plan", "namnd"),
        ("unit_plan", "enhet"),
        ("goal", "klk"),
        ("indicator", "klk"),
    ],
)
def test_outcomes_cost_a_fixed_number_of_queries(client_for, indicators, page, who):
    plan = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__year=YEAR)
    url = {
        "chain": reverse("chain") + f"?ar={YEAR}",
        "committee_plan": reverse("plan_committee", args=["UN"]) + f"?ar={YEAR}",
        "unit_plan": plan.get_absolute_url(),
        "goal": indicators["goal"].get_absolute_url() + f"?ar={YEAR}",
        "indicator": indicators["T-LAGRE"].get_absolute_url(),
    }[page]
    client = client_for(who)
    client.get(url)
    before = _count(client, url)
    # Ten more indicators, and more outcomes, read in the same number of queries.
    published = Submission.objects.filter(org_unit__code="UN", state="published")
    for occasion in ReportingOccasion.objects.filter(plan_year__year=YEAR).exclude(
        pk__in=published.values("occasion")
    ):
        for code in ("T-HOGRE", "T-LAGRE", "T-INGET"):
            Measurement.objects.get_or_create(
                indicator=indicators[code], occasion=occasion, defaults={"value": 3}
            )
        for n in range(10):
            extra, _ = Indicator.objects.get_or_create(
                direction_goal=indicators["goal"], code=f"T-EXTRA-{n}", name=f"Extra {n}"
            )
            Target.objects.get_or_create(indicator=extra, year=YEAR, defaults={"value": n})
            Measurement.objects.get_or_create(
                indicator=extra, occasion=occasion, defaults={"value": n + 1}
            )
    after = _count(client, url)
    assert after == before <= 25
    html = client.get(url).content.decode()
    assert "Extra 9" in html or page == "indicator"
