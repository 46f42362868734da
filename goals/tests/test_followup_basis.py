"""The follow-up form shows the basis of its suggestion, and a hand-in lists every gap at once.

Under each goal: its indicators with target, this occasion's and last year's outcome and
whether the target is reached; the suggestion follows the outcomes as typed (in the browser
through static/js/followup-suggest.js from the rows' data attributes, without JavaScript on
"Spara utkast"). Submitting lists every missing item and every form error in one error
summary, each a link to its marked field; the box at the bottom reflects the saved draft.
The browser half is goals/tests/browser/test_followup_basis.py.
"""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from core.forms import SwedishDecimalField
from goals import rules
from goals.models import (
    Assessment,
    GoalAssessment,
    ReportingOccasion,
    Submission,
)

pytestmark = pytest.mark.django_db

UNIT = "UF-ENS"  # Enebybergs skola, the `enhet` persona's unit


@pytest.fixture
def interim():
    return ReportingOccasion.objects.get(plan_year__year=2026, name="Delårsrapport")


@pytest.fixture
def tertial():
    return ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")


class Basis(HTMLParser):
    """What followup-suggest.js reads: per goal ([data-basis]) its rows' data attributes and
    the shown (not hidden) suggestion; and every input's value by id."""

    def __init__(self):
        super().__init__()
        self.goals = []  # {"rows": [attrs], "shown": [levels], "statuses": [shown status]}
        self.values = {}
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-basis" in a:
            self.goals.append({"level_input": a["data-level-input"], "rows": [], "shown": []})
        elif "data-indicator" in a:
            self.goals[-1]["rows"].append({**a, "shown": []})
        elif "data-level" in a and "hidden" not in a:
            self.goals[-1]["shown"].append(a["data-level"])
        elif "data-status" in a and "hidden" not in a:
            self.goals[-1]["rows"][-1]["shown"].append(a["data-status"])
        if tag == "input" and "id" in a:
            self.values[a["id"]] = a.get("value", "")

    @classmethod
    def of(cls, html: str) -> "Basis":
        parser = cls()
        parser.feed(html)
        return parser


def outcome(text: str):
    """A typed outcome as the server reads it; None where it is no number (as the script)."""
    field = SwedishDecimalField(required=False, max_digits=14, decimal_places=2)
    try:
        return field.clean(text)
    except Exception:
        return None


def suggestion_from_attributes(goal: dict, values: dict) -> tuple[str, list[str]]:
    """The rule applied to exactly what the script reads, in Python."""
    pairs, statuses = [], []
    for row in goal["rows"]:
        value = outcome(values.get(row["data-input"], ""))
        if value is None and "data-kept" in row:
            value = Decimal(row["data-kept"])
        target = Decimal(row["data-target"]) if row["data-target"] else None
        higher = row["data-higher"] == "1"
        pairs.append((value, target, higher))
        statuses.append(rules.target_status(value=value, target=target, higher_is_better=higher))
    return rules.suggest_assessment(pairs), statuses


def page_data(page) -> dict:
    """What the follow-up page sends back untouched: every field with its shown value."""
    from core.formats import format_swedish_number

    forms = page.context["forms"]
    data = {"version": forms["main"]["version"].value() or "0"}
    for group in ("measurements", "assessments", "activities"):
        for form in forms[group].values():
            for field in form:
                value = field.value()
                if field.name == "value":
                    value = format_swedish_number(value)
                data[field.html_name] = "" if value is None else value
    for field in forms["main"]:
        if field.name != "version":
            value = field.value()
            data[field.html_name] = "" if value is None else str(value)
    return data


def summary_links(html: str) -> list[str]:
    summary = html.split('id="felsammanfattning"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a href="(#[^"]+)">', summary)


# --- the basis in view ------------------------------------------------------------------------


def test_the_unit_form_shows_each_goals_indicators_targets_outcomes_and_whether_reached(
    client_for, interim
):
    page = client_for("enhet").get(reverse("followup_edit", args=[interim.pk, UNIT]))
    html = page.content.decode()
    goal = next(g for g in page.context["goals"] if g.code == "UN-HK-1")
    section = html.split(f'id="mal-{goal.pk}"', 1)[1].split("</details>", 1)[0]
    assert "Indikatorer – nämndens utfall per 2026-08-31" in section
    assert '<th scope="col" class="num">Utfall 2025</th>' in section
    teachers = section.split("Andel legitimerade förskollärare", 1)[1].split("</tr>", 1)[0]
    # Target 54, outcome 51,8 at this occasion, 50,1 last year: not reached, in symbol and word.
    cells = re.findall(r"<td[^>]*>(.*?)</td>", teachers, re.S)
    assert cells[:3] == ["54", "50,1", "51,8"]
    assert '<span aria-hidden="true">✕</span> Når inte målet' in cells[3]
    assert "Utfall saknas" in section  # the indicators not yet measured say so
    # The suggestion stands under the indicators it comes from.
    assert section.index("Når inte målet") < section.index("Föreslagen bedömning")


def test_the_committee_form_shows_last_years_outcome_and_whether_each_target_is_reached(
    client_for, tertial
):
    page = client_for("namnd").get(reverse("followup_edit", args=[tertial.pk, "UN"]))
    html = page.content.decode()
    assert '<th scope="col" class="num">Utfall 2025</th>' in html
    assert '<th scope="col">Når målet</th>' in html
    basis = Basis.of(html)
    assert len(basis.goals) == len(page.context["goals"])
    for goal in basis.goals:
        for row in goal["rows"]:
            assert len(row["shown"]) == 1  # one status shown, the others hidden for the script


def test_the_data_attributes_the_script_reads_give_the_servers_suggestion(client_for, tertial):
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    page = client.get(url)
    basis = Basis.of(page.content.decode())
    shown = [suggestion_from_attributes(g, basis.values) for g in basis.goals]
    for goal, (suggestion, statuses), parsed in zip(
        page.context["goals"], shown, basis.goals, strict=True
    ):
        assert parsed["shown"] == [page.context["suggestions"][goal.pk]] == [suggestion]
        assert [row["shown"][0] for row in parsed["rows"]] == statuses

    # Typed values, one of them no number, refused for another field: the page comes back
    # with the suggestion of the values as typed, and the attributes still give it.
    goal = page.context["goals"][0]
    first, *others = goal.followup_indicators
    data = page_data(page)
    data[f"ind-{first.pk}-value"] = "abc"
    for indicator in others:
        data[f"ind-{indicator.pk}-value"] = str(indicator.year_target.value).replace(".", ",")
    data.update({"budget_frame_tkr": "åttahundra", "action": "save"})
    refused = client.post(url, data)
    assert refused.status_code == 200
    basis = Basis.of(refused.content.decode())
    suggestion, statuses = suggestion_from_attributes(basis.goals[0], basis.values)
    assert suggestion == Assessment.FULFILLED != page.context["suggestions"][goal.pk]
    assert basis.goals[0]["shown"] == [Assessment.FULFILLED]
    assert statuses == ["no_outcome"] + ["reached"] * len(others)
    assert [row["shown"][0] for row in basis.goals[0]["rows"]] == statuses


def test_without_javascript_the_suggestion_follows_on_saving_the_draft(client_for, tertial):
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    page = client.get(url)
    goal = page.context["goals"][0]
    before = page.context["suggestions"][goal.pk]
    data = page_data(page)
    for indicator in goal.followup_indicators:
        data[f"ind-{indicator.pk}-value"] = str(indicator.year_target.value).replace(".", ",")
    data["action"] = "save"
    assert client.post(url, data).status_code == 302
    after = Basis.of(client.get(url).content.decode())
    assert before != Assessment.FULFILLED
    assert after.goals[0]["shown"] == [Assessment.FULFILLED]


# --- every problem at once ----------------------------------------------------------------------


def test_a_unit_submitting_with_everything_missing_is_told_everything_at_once(client_for, interim):
    client = client_for("enhet")
    url = reverse("followup_edit", args=[interim.pk, UNIT])
    page = client.get(url)
    goals = page.context["goals"]
    data = page_data(page)
    data["action"] = "submit"
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith("#felsammanfattning")
    submission = Submission.objects.get(occasion=interim, org_unit__code=UNIT)
    assert submission.state == Submission.State.DRAFT

    html = client.get(url).content.decode()
    assert "Uppföljningen kunde inte lämnas in" in html
    expected = [f"#id_mal-{g.pk}-{name}" for g in goals for name in ("level", "forecast_level")]
    assert summary_links(html) == expected
    for g in goals:
        assert f"{g.code} – Bedömning: Välj en bedömning." in html
        assert f"{g.code} – Prognos för helåret: Välj en prognos för helåret." in html
        for name in ("level", "forecast_level"):
            select = re.search(rf'<select name="mal-{g.pk}-{name}"[^>]*>', html).group(0)
            assert 'aria-invalid="true"' in select
            assert f'aria-describedby="id_mal-{g.pk}-{name}_fel"' in select
            assert f'<p class="error" id="id_mal-{g.pk}-{name}_fel">' in html
    # The summary shows once, after the refusal; the box at the bottom stays.
    again = client.get(url).content.decode()
    assert 'id="felsammanfattning"' not in again
    assert "I det sparade utkastet saknas" in again


def test_a_refused_field_and_the_missing_ones_are_listed_in_one_attempt(client_for, interim):
    client = client_for("enhet")
    url = reverse("followup_edit", args=[interim.pk, UNIT])
    page = client.get(url)
    goals = page.context["goals"]
    first = next(g for g in goals if page.context["suggestions"][g.pk] != Assessment.PARTLY)
    data = page_data(page)
    data["action"] = "save"
    assert client.post(url, data).status_code == 302  # a draft with nothing assessed
    page = client.get(url)
    data = page_data(page)
    # The first goal assessed against its suggestion without a justification, the rest empty.
    data.update({f"mal-{first.pk}-level": Assessment.PARTLY, "action": "submit"})
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    links = summary_links(html)
    assert links[:2] == [f"#id_mal-{first.pk}-justification", f"#id_mal-{first.pk}-forecast_level"]
    assert set(links[2:]) == {
        f"#id_mal-{g.pk}-{name}"
        for g in goals
        if g != first
        for name in ("level", "forecast_level")
    }
    assert "Motivera varför bedömningen avviker" in html
    assert "Det du skrev finns kvar. Inget är sparat." in html
    # The box at the bottom never lists what the page holds filled in.
    box = html.split('id="inlamning"', 1)[1]
    assert f"{first.code}: bedömning saknas" not in box
    assert "inte sparat" in box
    saved = GoalAssessment.objects.get(
        submission__occasion=interim, submission__org_unit__code=UNIT, direction_goal=first
    )
    assert saved.level == ""  # nothing refused is saved


def test_the_box_at_the_bottom_lists_what_the_saved_draft_lacks_with_links(client_for, interim):
    client = client_for("enhet")
    url = reverse("followup_edit", args=[interim.pk, UNIT])
    page = client.get(url)
    goals = page.context["goals"]
    first = goals[0]
    data = page_data(page)
    data.update(
        {
            f"mal-{first.pk}-level": page.context["suggestions"][first.pk],
            f"mal-{first.pk}-forecast_level": Assessment.PARTLY,
            "action": "save",
        }
    )
    assert client.post(url, data).status_code == 302
    box = client.get(url).content.decode().split('id="inlamning"', 1)[1]
    assert "I det sparade utkastet saknas" in box
    assert first.code + ":" not in box
    for g in goals[1:]:
        assert f'<a href="#id_mal-{g.pk}-level">{g.code}: bedömning saknas</a>' in box
        assert f'<a href="#id_mal-{g.pk}-forecast_level">{g.code}: prognos för helåret' in box
