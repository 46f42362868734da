"""The start page leads: the one next thing to do first, then what waits grouped by occasion.

`today` is fixed (the demo's year is 2026): 1 October, when Verksamhetsplan, Tertialrapport 1
and Delårsrapport are open and past their deadlines, or 10 September, when Delårsrapport's
deadline is still ahead.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from goals import cycle
from goals.models import OrgUnit, ReportingOccasion, Submission
from goals.rules import followup_state
from goals.selectors import FIRST_SHOWN

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 1)
SEPTEMBER = datetime.date(2026, 9, 10)


@pytest.fixture
def on(monkeypatch):
    """on(day): the start page (and the follow-up overview) as if today were `day`."""

    def set_day(day: datetime.date):
        fixed = SimpleNamespace(localdate=lambda: day)
        monkeypatch.setattr("goals.views.chain.timezone", fixed)
        monkeypatch.setattr("followup.views.timezone", fixed)

    set_day(OCTOBER)
    return set_day


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def section(html: str, heading_id: str) -> str:
    match = re.search(rf'(?s)<section aria-labelledby="{heading_id}".*?</section>', html)
    assert match, f"no section {heading_id}"
    return match.group(0)


def unfolded(html: str) -> str:
    """What shows before anything is unfolded: the html without its <details> contents."""
    return re.sub(r"(?s)<details.*?</details>", "", html)


def occasion(kind: str) -> ReportingOccasion:
    return ReportingOccasion.objects.get(plan_year__year=2026, kind=kind)


def start(client_for, who: str) -> str:
    response = client_for(who).get(reverse("start"))
    assert response.status_code == 200
    return response.content.decode()


# --- the next step ------------------------------------------------------------------------------


def test_committee_staff_are_led_to_their_committees_open_follow_up(client_for, on):
    html = start(client_for, "namnd")
    lead = section(html, "s-nasta")
    assert "Nästa steg: delårsrapport för Utbildningsnämnden" in text_of(lead)
    assert "Sista dag var 25 september 2026 ⚠ Försenad" in text_of(lead)
    delar = occasion("interim_report")
    assert f'class="button" href="{reverse("followup_edit", args=[delar.pk, "UN"])}"' in lead
    # It leads: before the lists of what else waits.
    assert html.index('id="s-nasta"') < html.index('id="s-uppfoljning"')


def test_the_next_step_is_the_deadline_ahead_when_there_is_one(client_for, on):
    on(SEPTEMBER)
    lead = text_of(section(start(client_for, "namnd"), "s-nasta"))
    assert "Nästa steg: delårsrapport för Utbildningsnämnden" in lead
    assert "Sista dag är 25 september 2026" in lead and "Försenad" not in lead


def test_unit_head_is_led_to_their_own_units_follow_up(client_for, on):
    lead = section(start(client_for, "enhet"), "s-nasta")
    assert "Nästa steg: delårsrapport för Enebybergs skola" in text_of(lead)
    delar = occasion("interim_report")
    assert reverse("followup_edit", args=[delar.pk, "UF-ENS"]) in lead


def test_a_returned_follow_up_comes_before_everything_else(client_for, users, on):
    tertial, un = occasion("tertial_report"), OrgUnit.objects.get(code="UN")
    submission = cycle.submission_get_or_create(occasion=tertial, org_unit=un)
    Submission.objects.filter(pk=submission.pk).update(state=Submission.State.SUBMITTED)
    submission.refresh_from_db()
    cycle.submission_return(submission=submission, user=users["klk"], reason="Saknar analys.")
    lead = text_of(section(start(client_for, "namnd"), "s-nasta"))
    assert "Nästa steg: komplettera Utbildningsnämnden" in lead
    assert "Tertialrapport 1 är återsänd för komplettering: Saknar analys." in lead


def test_reviewers_are_led_to_what_waits_for_review_and_see_the_late_committees(client_for, on):
    for who in ("klk", "admin"):
        html = start(client_for, who)
        lead = section(html, "s-nasta")
        assert "Nästa steg: granska 2 uppföljningar" in text_of(lead)
        oldest = (
            Submission.objects.filter(state=Submission.State.SUBMITTED)
            .order_by("occasion__period_end", "org_unit__name")
            .first()
        )
        assert reverse("review_submission", args=[oldest.pk]) in lead
        late = section(html, "s-sena")
        assert "Delårsrapport · sista dag 25 september 2026 ⚠ Försenad" in text_of(late)
        assert "Utbildningsnämnden" in text_of(late)


def test_a_reader_is_shown_what_is_published(client_for, on):
    html = start(client_for, "politiker")
    lead = section(html, "s-nasta")
    published = Submission.objects.filter(
        state=Submission.State.PUBLISHED, org_unit__kind=OrgUnit.Kind.COMMITTEE
    ).select_related("occasion", "org_unit")
    latest = max(s.occasion.period_end for s in published)
    shown = [s for s in published if s.occasion.period_end == latest]
    assert shown and "Senast publicerat:" in text_of(lead)
    for s in shown:
        assert reverse("followup_edit", args=[s.occasion_id, s.org_unit.code]) in lead
    assert 'id="s-uppfoljning"' not in html and 'class="button"' not in html


def test_someone_without_a_role_gets_no_next_step(client_for, on):
    html = start(client_for, "outsider")
    assert "Du har ännu ingen roll" in text_of(html) and 'id="s-nasta"' not in html


# --- one truth for a plan's and a follow-up's state --------------------------------------------


def test_a_units_plan_that_exists_is_a_draft_not_not_started():
    plan_occasion, tertial = occasion("operational_plan"), occasion("tertial_report")
    school = OrgUnit.objects.get(code="UF-ENS")
    assert school.operational_plans.filter(plan_year__year=2026).exists()
    assert followup_state(occasion=plan_occasion, unit=school, submission=None).label == "Utkast"
    assert followup_state(occasion=tertial, unit=school, submission=None).label == "Ej påbörjad"
    un = OrgUnit.objects.get(code="UN")
    assert followup_state(occasion=tertial, unit=un, submission=None).label == "Ej påbörjad"
    late = followup_state(occasion=tertial, unit=school, submission=None, today=OCTOBER)
    assert late.overdue and not late.done


def test_no_page_says_an_existing_plan_is_not_started(client_for, on):
    plan_occasion = occasion("operational_plan")
    item = re.compile(
        r"(?s)<li><a [^>]*>(?:<bdi>)?Enebybergs skola(?:</bdi>)?"
        r"<span class=\"visually-hidden\"> – Verksamhetsplan</span></a>: (.*?)</li>"
    )
    for who in ("namnd", "enhet"):
        found = item.search(start(client_for, who))
        assert found, who
        assert "Utkast" in found.group(1) and "påbörjad" not in found.group(1).lower()
    overview = client_for("enhet").get(reverse("followup")).content.decode()
    cell = re.search(
        r'(?s)<span class="state state--(\w+)">([^<]*)</span>'
        r'<span class="visually-hidden"> – Verksamhetsplan, Enebybergs skola</span>',
        overview,
    )
    assert cell and cell.group(2) == "Utkast"
    page = client_for("enhet").get(reverse("followup_edit", args=[plan_occasion.pk, "UF-ENS"]))
    assert 'Status: <span class="state state--draft">Utkast</span>' in page.content.decode()


# --- grouped by occasion, the first few shown ---------------------------------------------------


def test_overdue_follow_ups_are_grouped_by_occasion_and_folded_after_the_first_few(client_for, on):
    todo = section(start(client_for, "namnd"), "s-uppfoljning")
    # 14 follow-ups wait: 5 at Delårsrapport, 5 at Tertialrapport 1, 4 plans.
    assert todo.count("<li>") == 14
    # One "Försenad" per occasion, not one per line.
    assert text_of(todo).count("Försenad") == 3
    for name in ("Delårsrapport", "Tertialrapport 1", "Verksamhetsplan"):
        assert f"{name} · sista dag" in text_of(todo)
    # Before anything is unfolded: the first few of the occasion under way, nothing more.
    shown = unfolded(todo)
    assert shown.count("<li>") == FIRST_SHOWN
    assert "<details" in todo and "<summary>" in todo
    assert "Visa 2 till för Delårsrapport" in text_of(todo)
    # The occasion under way (the latest deadline) first, the older ones after it.
    text = text_of(todo)
    assert text.index("Delårsrapport ·") < text.index("Tertialrapport 1 ·")
    assert text.index("Tertialrapport 1 ·") < text.index("Verksamhetsplan ·")


def test_planning_gaps_fold_after_the_first_few(client_for, on):
    gaps = section(start(client_for, "namnd"), "s-att-gora")
    assert unfolded(gaps).count("<li>") == FIRST_SHOWN
    assert gaps.count("<li>") > FIRST_SHOWN and "Visa" in text_of(gaps)


# --- tables stack on phones, queries stay bounded ---------------------------------------------


def test_the_start_pages_table_cells_carry_their_column_heading(client_for, on):
    html = start(client_for, "namnd")
    cells = re.findall(r"<td[^>]*>", html)
    assert cells and all("data-label=" in c for c in cells)
    assert 'data-label="Sista dag"' in html


# politiker: one query more than the others need for it, for the latest published reports.
# admin, klk, politiker: six more for the måluppfyllelse overview their page leads with
# (goals.selectors.overview: occasions, areas, committees, follow-ups, assessments, goals),
# the same number whatever the size (test_the_start_page_makes_the_same_number_of_queries…).
@pytest.mark.parametrize(
    ("who", "most"), [("admin", 30), ("klk", 23), ("namnd", 25), ("enhet", 23), ("politiker", 21)]
)
def test_the_start_page_makes_a_bounded_number_of_queries(
    client_for, on, who, most, django_assert_max_num_queries
):
    client = client_for(who)
    client.get(reverse("start"))
    with django_assert_max_num_queries(most):
        assert client.get(reverse("start")).status_code == 200


def test_the_start_page_makes_the_same_number_of_queries_for_a_larger_municipality():
    """As goals/tests/test_scale.py does for six pages: the large municipality at two sizes."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from demo.large import load_large
    from goals.tests.test_scale import BIGGER, SMALL, _Quiet

    def counts(sizes: dict) -> dict:
        savepoint = transaction.savepoint()
        try:
            load_large(**sizes, stdout=_Quiet())
            found = {}
            for username in ("stor-namnd", "stor-enhet", "stor-klk"):
                client = Client()
                client.force_login(get_user_model().objects.get(username=username))
                assert client.get(reverse("start")).status_code == 200
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(reverse("start")).status_code == 200
                found[username] = len(queries)
            return found
        finally:
            transaction.savepoint_rollback(savepoint)

    small, bigger = counts(SMALL), counts(BIGGER)
    assert bigger == small
    assert max(bigger.values()) <= 30, bigger


def test_kommunledningskontorets_next_review_says_when_it_came_in_late(client_for, on, users):
    from goals.tests.test_cycle import submitted

    tertial = occasion("tertial_report")
    un = OrgUnit.objects.get(code="UN")
    late_day = tertial.deadline + datetime.timedelta(days=6)
    submission = submitted(tertial, un, users, day=late_day)
    # Ours is the one that has waited longest.
    Submission.objects.filter(state="submitted").exclude(pk=submission.pk).update(state="approved")
    lead = text_of(section(start(client_for, "klk"), "s-nasta"))
    assert "Inlämnad efter sista dag (6 dagar)" in lead


def test_a_readers_next_step_leads_and_the_latest_reports_follow(client_for, on):
    html = start(client_for, "politiker")
    assert html.index('id="s-nasta"') < html.index("Senast publicerade rapporter")


# --- the overview of the latest published occasion leads for those who follow the whole ---------


@pytest.mark.parametrize("who", ["politiker", "klk", "admin"])
def test_readers_and_kommunledningskontoret_see_the_latest_published_overview(client_for, who):
    from goals.models import ReportingOccasion
    from goals.permissions import access_for
    from goals.selectors.overview import overview, overview_occasions

    html = start(client_for, who)
    block = section(html, "s-oversikt")
    assert "Måluppfyllelse – Tertialrapport 1 2026" in text_of(block)
    # The same counts as /oversikt/ at that occasion, in words and in the chart.
    occasions, default = overview_occasions()
    assert (default.plan_year.year, default.name) == (2026, "Tertialrapport 1")
    data = overview(
        access=access_for(get_user_model().objects.get(username=who)),
        occasion=default,
        occasions=occasions,
    )
    levels = [g.level for g in data.goals]
    sentence = (
        f"Av {len(levels)} inriktningsmål bedöms {levels.count('fulfilled')} uppfyllda, "
        f"{levels.count('partly')} delvis uppfyllda och {levels.count('not_fulfilled')} inte "
        f"uppfyllda; {levels.count('not_assessed')} är inte bedömda"
    )
    assert sentence in text_of(block)
    assert 'role="img"' in block and "Måluppfyllelse per strategiområde" in block
    assert "Preliminärt: 3 av 7 nämnders uppföljningar är publicerade." in text_of(block)
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    assert f'href="{reverse("overview")}?tillfalle={occasion.pk}"' in block
    # After the next step, before the rest of the page.
    assert html.index('id="s-nasta"') < html.index('id="s-oversikt"')
    assert html.index('id="s-oversikt"') < html.index('id="s-tillfallen"')


@pytest.mark.parametrize("who", ["namnd", "enhet"])
def test_committee_staff_and_unit_heads_keep_their_work_first(client_for, who):
    assert 'id="s-oversikt"' not in start(client_for, who)


def test_no_overview_before_anything_is_published(client_for):
    Submission.objects.filter(state="published").update(state="approved")
    assert 'id="s-oversikt"' not in start(client_for, "politiker")
