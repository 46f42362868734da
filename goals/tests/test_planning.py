"""Planning in the browser: committee goals, indicators with targets, unit plans, activities."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from goals.models import (
    Activity,
    DirectionGoal,
    Indicator,
    OperationalPlan,
    OrgUnit,
    PlanYear,
    StrategicArea,
)

pytestmark = pytest.mark.django_db


def _goal_data(area, **overrides):
    data = {
        "version": "0",
        "strategic_area": str(area.pk),
        "code": "UN-HK-9",
        "title": "Alla elever ska känna sig trygga i skolan",
        "description": "",
        "valid_from": "2026",
        "valid_to": "2027",
        "overarching_goals": [str(g.pk) for g in area.overarching_goals.all()],
        "strategies": [],
    }
    data.update(overrides)
    return data


def _indicator_data(goal, targets=(), **overrides):
    data = {
        "version": "0",
        "code": f"{goal.code}-X",
        "name": "Andel elever som känner sig trygga",
        "unit_of_measure": "%",
        "higher_is_better": "1",
        "baseline_year": "",
        "baseline_value": "",
        "kolada_kpi": "",
        "source": "Skolenkäten",
        "owner": "",
        "malvarden-TOTAL_FORMS": str(len(targets)),
        "malvarden-INITIAL_FORMS": "0",
        "malvarden-MIN_NUM_FORMS": "0",
        "malvarden-MAX_NUM_FORMS": "1000",
    }
    for i, (year, value) in enumerate(targets):
        data[f"malvarden-{i}-year"] = year
        data[f"malvarden-{i}-value"] = value
    data.update(overrides)
    return data


def _field_error(response, field_id: str) -> str:
    """The error text shown right under a field (tied to it by its id)."""
    html = response.content.decode()
    marker = f'id="{field_id}_fel"'
    assert marker in html, f"no error shown under {field_id}"
    start = html.index(marker)
    return html[start : html.index("</p>", start)]


@pytest.fixture
def hog_kvalitet():
    return StrategicArea.objects.get(name="Hög kvalitet")


@pytest.fixture
def un():
    return OrgUnit.objects.get(code="UN")


# --- direction goals --------------------------------------------------------------------


def test_committee_editor_creates_goal_under_area_with_suggested_links(client_for, hog_kvalitet):
    client = client_for("namnd")
    url = reverse("plan_goal_create", args=["UN"])
    form_page = client.get(url, {"omrade": hog_kvalitet.pk})
    assert form_page.status_code == 200
    suggested = form_page.context["form"].initial["overarching_goals"]
    assert set(suggested) == set(hog_kvalitet.overarching_goals.values_list("pk", flat=True))

    response = client.post(url, _goal_data(hog_kvalitet))
    goal = DirectionGoal.objects.get(code="UN-HK-9")
    assert response.status_code == 302 and response.url == goal.get_absolute_url()
    assert goal.committee.code == "UN"
    assert goal.version == 1
    assert set(goal.overarching_goals.all()) == set(hog_kvalitet.overarching_goals.all())
    page = client.get(goal.get_absolute_url()).content.decode()
    assert "Nils Ek" in page and "Skapad" in page  # history: who and what


def test_suggest_button_keeps_typed_text_and_ticks_bilaga1_links(client_for, hog_kvalitet):
    client = client_for("namnd")
    response = client.post(
        reverse("plan_goal_create", args=["UN"]),
        {"foresla": "1", "strategic_area": hog_kvalitet.pk, "title": "Min text", "code": "UN-X"},
    )
    assert response.status_code == 200
    assert not DirectionGoal.objects.filter(code="UN-X").exists()
    form = response.context["form"]
    assert form.initial["title"] == "Min text"
    assert set(form.initial["overarching_goals"]) == set(
        hog_kvalitet.overarching_goals.values_list("pk", flat=True)
    )


def test_goal_form_errors_are_swedish_next_to_field_and_input_kept(client_for, hog_kvalitet):
    client = client_for("namnd")
    response = client.post(
        reverse("plan_goal_create", args=["UN"]),
        _goal_data(hog_kvalitet, code="un hk 9", valid_from="2028", valid_to="2026"),
    )
    assert response.status_code == 200
    assert "versaler" in _field_error(response, "id_code")
    assert "Slutåret kan inte ligga före startåret" in _field_error(response, "id_valid_to")
    html = response.content.decode()
    assert "Alla elever ska känna sig trygga i skolan" in html
    assert 'href="#id_code"' in html  # the error summary links to the field
    assert not DirectionGoal.objects.filter(title__startswith="Alla elever ska känna").exists()


def test_duplicate_code_is_refused_in_swedish(client_for, hog_kvalitet):
    response = client_for("namnd").post(
        reverse("plan_goal_create", args=["UN"]), _goal_data(hog_kvalitet, code="UN-HK-1")
    )
    assert response.status_code == 200
    assert "finns redan" in _field_error(response, "id_code")


def test_editor_of_one_committee_gets_404_on_another_committees_goal(client_for):
    client = client_for("namnd")
    sn_goal = DirectionGoal.objects.filter(committee__code="SN").first()
    assert client.get(reverse("plan_goal_edit", args=[sn_goal.pk])).status_code == 404
    assert client.get(sn_goal.get_absolute_url()).status_code == 404
    assert client.get(reverse("plan_goal_create", args=["SN"])).status_code == 404
    assert client.post(reverse("plan_goal_archive", args=[sn_goal.pk])).status_code == 404
    sn_goal.refresh_from_db()
    assert not sn_goal.archived


@pytest.mark.parametrize("persona", ["klk", "politiker", "enhet"])
def test_readers_reviewers_and_unit_heads_see_goals_but_cannot_change_them(client_for, persona):
    client = client_for(persona)
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    page = client.get(goal.get_absolute_url())
    assert page.status_code == 200
    assert reverse("plan_goal_edit", args=[goal.pk]) not in page.content.decode()
    assert client.get(reverse("plan_goal_edit", args=[goal.pk])).status_code == 403
    response = client.post(
        reverse("plan_goal_edit", args=[goal.pk]),
        {"title": "Ändrad", "version": goal.version},
    )
    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.title != "Ändrad"


def test_archiving_keeps_the_goal_and_its_history(client_for):
    client = client_for("namnd")
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    activities = goal.activities.count()
    response = client.post(reverse("plan_goal_archive", args=[goal.pk]), {"version": goal.version})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.archived and goal.activities.count() == activities
    committee_page = client.get(reverse("plan_committee", args=["UN"]), {"ar": 2026})
    shown = {g.code for a in committee_page.context["plan"].areas for g in a.goals}
    assert "UN-HK-1" not in shown and shown
    archived_page = client.get(
        reverse("plan_committee", args=["UN"]), {"ar": 2026, "status": "arkiverade"}
    )
    assert goal.title in archived_page.content.decode()
    detail = client.get(goal.get_absolute_url()).content.decode()
    assert "Arkiverat" in detail and "Nils Ek" in detail
    # The archived goal still shows in the plan of a unit whose activity served it.
    plan = goal.activities.first().plan
    assert goal.activities.first().title in client.get(plan.get_absolute_url()).content.decode()


def test_archive_needs_post(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    assert client_for("namnd").get(reverse("plan_goal_archive", args=[goal.pk])).status_code == 405


# --- no lost updates ------------------------------------------------------------------------


def test_second_save_from_same_version_is_refused_and_first_is_kept(users, hog_kvalitet):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    url = reverse("plan_goal_edit", args=[goal.pk])
    first, second = Client(), Client()
    first.force_login(users["namnd"])
    second.force_login(users["admin"])
    base = first.get(url).context["form"]
    assert second.get(url).status_code == 200

    def data(title):
        return {
            "version": str(goal.version),
            "strategic_area": str(goal.strategic_area_id),
            "code": goal.code,
            "title": title,
            "description": base.initial.get("description", ""),
            "valid_from": str(goal.valid_from),
            "valid_to": str(goal.valid_to),
            "overarching_goals": [str(g.pk) for g in goal.overarching_goals.all()],
            "strategies": [str(s.pk) for s in goal.strategies.all()],
        }

    assert first.post(url, data("Första sessionens titel")).status_code == 302
    response = second.post(url, data("Andra sessionens titel"))
    assert response.status_code == 409
    goal.refresh_from_db()
    assert goal.title == "Första sessionens titel"
    html = response.content.decode()
    assert "Andra sessionens titel" in html  # the second user's input is kept
    assert "Första sessionens titel" in html  # what changed meanwhile is shown
    assert "Nils Ek" in html  # and who changed it
    # Saving again after seeing the change is a deliberate choice and goes through.
    again = data("Andra sessionens titel")
    again["version"] = str(response.context["form"]["version"].value())
    assert second.post(url, again).status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Andra sessionens titel" and goal.version == 3


def test_plan_edit_conflict_keeps_input(users):
    plan = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__year=2026)
    url = reverse("plan_edit", args=[plan.pk])
    a, b = Client(), Client()
    a.force_login(users["enhet"])
    b.force_login(users["namnd"])
    v = plan.version
    assert a.post(url, {"version": v, "basic_mission": "Version A"}).status_code == 302
    response = b.post(url, {"version": v, "basic_mission": "Version B"})
    assert response.status_code == 409
    assert "Version B" in response.content.decode()
    plan.refresh_from_db()
    assert plan.basic_mission == "Version A"


# --- indicators and targets -------------------------------------------------------------------


def test_indicator_with_targets_in_swedish_number_format(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    client = client_for("namnd")
    url = reverse("plan_indicator_create", args=[goal.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _indicator_data(
            goal,
            targets=[("2026", "1 234,5"), ("2025", "87")],
            baseline_year="2024",
            baseline_value="80,25",
            kolada_kpi="n00945",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    indicator = Indicator.objects.get(code=f"{goal.code}-X")
    assert indicator.kolada_kpi == "N00945"
    assert indicator.baseline_value == Decimal("80.25")
    assert {t.year: t.value for t in indicator.targets.all()} == {
        2026: Decimal("1234.5"),
        2025: Decimal("87"),
    }
    page = client.get(indicator.get_absolute_url()).content.decode()
    assert "1234,5" in page or "1 234,5" in page
    assert "Målvärde 2026" in page  # target history


@pytest.mark.parametrize(
    ("year", "value", "field", "message"),
    [
        ("2026", "abc", "id_malvarden-0-value", "Skriv ett tal"),
        ("", "12", "id_malvarden-0-year", "Detta fält måste fyllas i"),
        ("2031", "12", "id_malvarden-0-year", "utanför inriktningsmålets år"),
    ],
)
def test_bad_target_comes_back_next_to_field_with_input_kept(
    client_for, year, value, field, message
):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    response = client_for("namnd").post(
        reverse("plan_indicator_create", args=[goal.pk]),
        _indicator_data(goal, targets=[(year, value)]),
    )
    assert response.status_code == 200
    assert message in _field_error(response, field)
    html = response.content.decode()
    assert "Andel elever som känner sig trygga" in html and "Skolenkäten" in html
    assert f'value="{value}"' in html
    assert not Indicator.objects.filter(code=f"{goal.code}-X").exists()


def test_kolada_id_is_validated(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    response = client_for("namnd").post(
        reverse("plan_indicator_create", args=[goal.pk]), _indicator_data(goal, kolada_kpi="N0094")
    )
    assert response.status_code == 200
    assert "fem siffror" in _field_error(response, "id_kolada_kpi")


def test_ownerless_indicator_is_flagged_on_committee_plan(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    Indicator.objects.create(direction_goal=goal, code="UN-HK-1-Z", name="Utan ägare")
    page = client_for("namnd").get(reverse("plan_committee", args=["UN"]), {"ar": 2026})
    html = page.content.decode()
    assert "Saknar ansvarig" in html
    assert page.context["plan"].ownerless_count >= 1
    only = client_for("namnd").get(
        reverse("plan_committee", args=["UN"]), {"ar": 2026, "utan_ansvarig": "1"}
    )
    shown = [i for a in only.context["plan"].areas for g in a.goals for i in g.shown_indicators]
    assert shown and all(i.owner_id is None for i in shown)


def test_indicator_edit_removes_target_and_keeps_history(client_for):
    indicator = Indicator.objects.filter(direction_goal__code="UN-HK-1").first()
    client = client_for("namnd")
    url = reverse("plan_indicator_edit", args=[indicator.pk])
    form = client.get(url).context["form"]
    formset = client.get(url).context["formset"]
    data = {
        "version": indicator.version,
        "code": indicator.code,
        "name": indicator.name,
        "unit_of_measure": indicator.unit_of_measure,
        "higher_is_better": "1" if indicator.higher_is_better else "0",
        "baseline_year": indicator.baseline_year or "",
        "baseline_value": form["baseline_value"].value() or "",
        "kolada_kpi": indicator.kolada_kpi,
        "source": indicator.source,
        "owner": indicator.owner_id or "",
        "malvarden-TOTAL_FORMS": str(len(formset.forms)),
        "malvarden-INITIAL_FORMS": str(formset.initial_form_count()),
        "malvarden-MIN_NUM_FORMS": "0",
        "malvarden-MAX_NUM_FORMS": "1000",
    }
    targets = list(indicator.targets.order_by("year"))
    for i, f in enumerate(formset.forms):
        data[f"malvarden-{i}-id"] = f.instance.pk or ""
        data[f"malvarden-{i}-year"] = f.instance.year or ""
        data[f"malvarden-{i}-value"] = f["value"].value() or ""
    data["malvarden-0-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["formset"].errors
    assert not indicator.targets.filter(pk=targets[0].pk).exists()
    indicator.refresh_from_db()
    assert indicator.version == 2
    page = client.get(indicator.get_absolute_url()).content.decode()
    assert f"Målvärde {targets[0].year}" in page and "Borttagen" in page


# --- plans and activities ---------------------------------------------------------------------


def test_unit_head_adds_activity_under_committee_goal(client_for):
    plan = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__year=2026)
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    client = client_for("enhet")
    url = reverse("plan_activity_create", args=[plan.pk])
    page = client.get(url)
    assert page.status_code == 200
    # While planning, the unit sees its committee's goals with indicators and targets.
    assert goal.title in page.content.decode()
    choices = {str(v) for v, _label in page.context["form"].fields["direction_goal"].choices if v}
    assert str(goal.pk) in choices
    assert not DirectionGoal.objects.filter(pk__in=choices).exclude(committee__code="UN").exists()
    response = client.post(
        url,
        {
            "version": "0",
            "direction_goal": goal.pk,
            "title": "Trygghetsvandring med elevrådet",
            "responsible": "Eva Holm",
            "starts_on": "2026-03-01",
            "ends_on": "2026-05-31",
            "status": "ongoing",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="Trygghetsvandring med elevrådet")
    assert activity.plan == plan and activity.starts_on == datetime.date(2026, 3, 1)
    chain = client.get(reverse("chain"), {"ar": 2026}).content.decode()
    assert "Trygghetsvandring med elevrådet" in chain


def test_activity_cannot_serve_another_committees_goal(client_for):
    plan = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__year=2026)
    sn_goal = DirectionGoal.objects.filter(committee__code="SN").first()
    response = client_for("enhet").post(
        reverse("plan_activity_create", args=[plan.pk]),
        {
            "version": "0",
            "direction_goal": sn_goal.pk,
            "title": "Fel mål",
            "starts_on": "2026-06-01",
            "ends_on": "2026-01-01",
            "status": "not_started",
        },
    )
    assert response.status_code == 200
    assert "giltigt alternativ" in _field_error(response, "id_direction_goal")
    assert "Slutdatum kan inte ligga före startdatum" in _field_error(response, "id_ends_on")
    assert 'value="Fel mål"' in response.content.decode()
    assert not Activity.objects.filter(title="Fel mål").exists()


def test_activity_edit_leaves_history_with_old_and_new_values(client_for):
    activity = Activity.objects.filter(plan__org_unit__code="UF-ENS").first()
    client = client_for("enhet")
    response = client.post(
        reverse("plan_activity_edit", args=[activity.pk]),
        {
            "version": activity.version,
            "direction_goal": activity.direction_goal_id,
            "title": activity.title,
            "responsible": "Ny Ansvarig",
            "status": "done",
        },
    )
    assert response.status_code == 302
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "Ny Ansvarig" in page and "Genomförd" in page and "Eva Holm" in page


def test_unit_head_cannot_edit_another_units_plan(client_for):
    other = (
        OperationalPlan.objects.filter(org_unit__code__startswith="UF-", plan_year__year=2026)
        .exclude(org_unit__code="UF-ENS")
        .first()
    )
    client = client_for("enhet")
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("plan_activity_create", args=[other.pk])).status_code == 404
    # The committee's editor may, since the unit lies in the committee's subtree.
    namnd = client_for("namnd")
    assert namnd.get(reverse("plan_activity_create", args=[other.pk])).status_code == 200


def test_unit_head_creates_missing_plan_for_a_year(client_for):
    unit = OrgUnit.objects.get(code="UF-ENS")
    PlanYear.objects.get_or_create(year=2027, defaults={"phase": "plan"})
    client = client_for("enhet")
    url = reverse("plan_unit", args=[unit.pk])
    page = client.get(url, {"ar": 2027})
    assert page.status_code == 200 and "ingen verksamhetsplan för 2027" in page.content.decode()
    response = client.post(url + "?ar=2027")
    plan = OperationalPlan.objects.get(org_unit=unit, plan_year__year=2027)
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert client.get(url, {"ar": 2027}).url == plan.get_absolute_url()
    assert client_for("politiker").post(url + "?ar=2026").status_code == 302  # exists: just shown


def test_plans_overview_lists_units_and_missing_plans(client_for):
    page = client_for("namnd").get(reverse("plans"), {"ar": 2026})
    assert page.status_code == 200
    overview = page.context["overview"]
    codes = {row.unit.code for row in overview.units}
    assert "UF-ENS" in codes and not any(c.startswith("SF") for c in codes)
    assert overview.missing_count == sum(1 for r in overview.units if r.plan is None)
    assert "Planer" in page.content.decode()


def test_prefilled_target_rows_left_without_value_are_not_errors(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    client = client_for("namnd")
    url = reverse("plan_indicator_create", args=[goal.pk])
    formset = client.get(url).context["formset"]
    prefilled = [f.initial.get("year") for f in formset.forms]
    assert prefilled[0] == 2026  # the current plan year
    data = _indicator_data(goal, targets=[(str(y or ""), "") for y in prefilled])
    response = client.post(url, data)
    assert response.status_code == 302
    assert not Indicator.objects.get(code=f"{goal.code}-X").targets.exists()


def _admin_change_data(response) -> dict:
    """What the admin's change page would send back unchanged, inlines included."""
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for i, f in enumerate(formset.forms):
            pk_name = formset.model._meta.pk.name
            if f.instance.pk:
                data[f"{formset.prefix}-{i}-{pk_name}"] = f.instance.pk
                fk = formset.fk.name
                data[f"{formset.prefix}-{i}-{fk}"] = formset.instance.pk
    return data


def test_admin_save_counts_as_a_version_so_open_forms_notice(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    version = goal.version
    admin = client_for("admin")
    data = _admin_change_data(
        admin.get(reverse("admin:goals_directiongoal_change", args=[goal.pk]))
    )
    data["overarching_goals"] = [g.pk for g in goal.overarching_goals.all()]
    data["strategies"] = [s.pk for s in goal.strategies.all()]
    data["title"] = "Ändrad i administrationen"
    data["archived"] = ""
    data["base_version"] = version
    response = admin.post(reverse("admin:goals_directiongoal_change", args=[goal.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    goal.refresh_from_db()
    assert goal.version == version + 1
    stale = client_for("namnd").post(
        reverse("plan_goal_edit", args=[goal.pk]),
        {
            "version": version,
            "strategic_area": goal.strategic_area_id,
            "code": goal.code,
            "title": "Från ett gammalt formulär",
            "valid_from": goal.valid_from,
            "valid_to": goal.valid_to,
        },
    )
    assert stale.status_code == 409


def test_start_page_lists_planning_gaps_for_editors_only(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    Indicator.objects.create(direction_goal=goal, code="UN-HK-1-Z", name="Utan ägare")
    page = client_for("namnd").get(reverse("start"))
    todo = page.context["todo_committees"]
    assert [t.committee.code for t in todo] == ["UN"] and todo[0].ownerless_indicators >= 1
    assert "saknar ansvarig" in page.content.decode()
    missing = {row.unit.code for row in page.context["todo_missing_plans"]}
    assert missing and all(code.startswith("U") for code in missing)
    reader = client_for("politiker").get(reverse("start"))
    assert reader.context["todo_committees"] == [] and reader.context["todo_missing_plans"] == []


def test_committee_editor_creates_all_missing_plans_of_a_year_at_once(client_for):
    client = client_for("namnd")
    before = client.get(reverse("plans"), {"ar": 2026}).context["overview"]
    missing = {r.unit.pk for r in before.units if r.plan is None}
    assert missing
    response = client.post(reverse("plans") + "?ar=2026")
    assert response.status_code == 302
    assert OperationalPlan.objects.filter(
        org_unit__in=missing, plan_year__year=2026
    ).count() == len(missing)
    after = client.get(reverse("plans"), {"ar": 2026}).context["overview"]
    assert after.missing_count == 0
    # A reader has nothing to create.
    assert client_for("politiker").post(reverse("plans") + "?ar=2025").status_code == 403


def test_admin_save_from_an_old_version_is_refused(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    admin = client_for("admin")
    url = reverse("admin:goals_directiongoal_change", args=[goal.pk])
    data = _admin_change_data(admin.get(url))
    data.update(
        overarching_goals=[g.pk for g in goal.overarching_goals.all()],
        strategies=[s.pk for s in goal.strategies.all()],
        archived="",
        base_version=goal.version,
        description="Från administrationen",
    )
    # Meanwhile the committee editor saves a new title in the planning form.
    DirectionGoal.objects.filter(pk=goal.pk).update(version=goal.version + 1, title="Ny titel")
    response = admin.post(url, data)
    assert response.status_code == 200
    assert "Någon annan har sparat" in response.content.decode()
    goal.refresh_from_db()
    assert goal.title == "Ny titel" and goal.description != "Från administrationen"


def test_target_changed_in_admin_makes_open_indicator_form_stale(client_for):
    indicator = Indicator.objects.filter(direction_goal__code="UN-HK-1").first()
    version = indicator.version
    target = indicator.targets.first()
    admin = client_for("admin")
    response = admin.post(
        reverse("admin:goals_target_change", args=[target.pk]),
        {"indicator": indicator.pk, "year": target.year, "value": "12"},
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.version == version + 1


@pytest.mark.parametrize(
    "path",
    [
        "/planer/?ar=²",
        "/styrkedja/?ar=²",
        "/planer/namnd/UN/?ar=" + "1" * 5000,
        "/planer/namnd/UN/?omrade=²",
        "/planer/namnd/UN/mal/ny/?omrade=²",
    ],
)
def test_odd_query_values_are_ignored_not_errors(client_for, path):
    assert client_for("namnd").get(path).status_code == 200


def test_odd_posted_numbers_are_refused_cleanly(client_for):
    client = client_for("namnd")
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    suggest = client.post(
        reverse("plan_goal_create", args=["UN"]), {"foresla": "1", "strategic_area": "²"}
    )
    assert suggest.status_code == 200
    archive = client.post(reverse("plan_goal_archive", args=[goal.pk]), {"version": "²"})
    assert archive.status_code == 302
    goal.refresh_from_db()
    assert not goal.archived  # an unreadable version is an old version: refused
    plan = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__year=2026)
    assert (
        client_for("enhet")
        .get(reverse("plan_activity_create", args=[plan.pk]), {"mal": "²"})
        .status_code
        == 200
    )


def _indicator_edit_data(client, indicator):
    response = client.get(reverse("plan_indicator_edit", args=[indicator.pk]))
    form, formset = response.context["form"], response.context["formset"]
    data = {
        "version": indicator.version,
        "code": indicator.code,
        "name": indicator.name,
        "unit_of_measure": indicator.unit_of_measure,
        "higher_is_better": "1" if indicator.higher_is_better else "0",
        "baseline_year": indicator.baseline_year or "",
        "baseline_value": form["baseline_value"].value() or "",
        "kolada_kpi": indicator.kolada_kpi,
        "source": indicator.source,
        "owner": indicator.owner_id or "",
        "malvarden-TOTAL_FORMS": str(len(formset.forms)),
        "malvarden-INITIAL_FORMS": str(formset.initial_form_count()),
        "malvarden-MIN_NUM_FORMS": "0",
        "malvarden-MAX_NUM_FORMS": "1000",
    }
    for i, f in enumerate(formset.forms):
        data[f"malvarden-{i}-id"] = f.instance.pk or ""
        data[f"malvarden-{i}-year"] = f.instance.year or ""
        shown = f["value"].value()
        data[f"malvarden-{i}-value"] = "" if shown is None else shown
    return data


def test_indicator_conflict_after_a_target_was_deleted_keeps_input_and_can_be_saved(users):
    indicator = Indicator.objects.filter(direction_goal__code="UN-HK-1").first()
    a, b = Client(), Client()
    a.force_login(users["namnd"])
    b.force_login(users["admin"])
    data_a = _indicator_edit_data(a, indicator)
    data_b = _indicator_edit_data(b, indicator)
    first_year = data_b["malvarden-0-year"]
    data_b["malvarden-0-DELETE"] = "on"
    assert b.post(reverse("plan_indicator_edit", args=[indicator.pk]), data_b).status_code == 302
    data_a["name"] = "Nytt namn från A"
    data_a["malvarden-0-value"] = "77"
    response = a.post(reverse("plan_indicator_edit", args=[indicator.pk]), data_a)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nytt namn från A" in html and 'value="77"' in html
    assert f"Målvärde {first_year}" in html and "Borttagen" in html  # what B did
    # The deleted target's row is now a new row: saving again restores it with A's value.
    formset = response.context["formset"]
    again = dict(response.context["form"].data.items())
    again.update({k: formset.data.getlist(k) for k in formset.data if k.startswith("malvarden")})
    again["version"] = response.context["form"]["version"].value()
    assert a.post(reverse("plan_indicator_edit", args=[indicator.pk]), again).status_code == 302
    indicator.refresh_from_db()
    assert indicator.name == "Nytt namn från A"
    assert indicator.targets.get(year=int(first_year)).value == Decimal("77")


def test_shortening_a_goals_years_cannot_strand_targets_or_activities(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    response = client_for("namnd").post(
        reverse("plan_goal_edit", args=[goal.pk]),
        {
            "version": goal.version,
            "strategic_area": goal.strategic_area_id,
            "code": goal.code,
            "title": goal.title,
            "valid_from": "2027",
            "valid_to": "2028",
        },
    )
    assert response.status_code == 200
    message = _field_error(response, "id_valid_from")
    assert "målvärden för 2023" in message and "aktiviteter i planer för" in message
    goal.refresh_from_db()
    assert goal.valid_from == 2023


def test_target_year_change_shows_old_and_new_year_in_history(client_for):
    indicator = Indicator.objects.filter(direction_goal__code="UN-HK-1").first()
    target = indicator.targets.order_by("year").first()
    target.year, old_year = 2022 if target.year != 2022 else 2024, target.year
    target.save()
    page = client_for("namnd").get(indicator.get_absolute_url()).content.decode()
    assert "Målvärde (år ändrat)" in page and f"{old_year}: " in page


def test_creation_history_lists_the_goals_links(client_for, hog_kvalitet):
    client = client_for("namnd")
    client.post(reverse("plan_goal_create", args=["UN"]), _goal_data(hog_kvalitet))
    goal = DirectionGoal.objects.get(code="UN-HK-9")
    entries = client.get(goal.get_absolute_url()).context["history"]
    created = entries[-1]
    assert created.action == "Skapad"
    linked = [c for c in created.changes if c.field == "övergripande mål"]
    assert linked and str(hog_kvalitet.overarching_goals.first().number) in linked[0].new


def test_a_committee_gets_no_unit_plan(client_for):
    un = OrgUnit.objects.get(code="UN")
    response = client_for("namnd").post(reverse("plan_unit", args=[un.pk]) + "?ar=2026")
    assert response.status_code == 404
    assert not OperationalPlan.objects.filter(org_unit=un).exists()


def test_target_error_from_the_range_check_is_tied_to_its_field(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    response = client_for("namnd").post(
        reverse("plan_indicator_create", args=[goal.pk]),
        _indicator_data(goal, targets=[("2031", "12")]),
    )
    html = response.content.decode()
    assert 'aria-describedby="id_malvarden-0-year_fel"' in html
    assert 'id="id_malvarden-0-year_fel"' in html


def test_indicator_form_offers_a_target_row_for_every_year_of_the_goal(client_for):
    DirectionGoal.objects.filter(code="UN-HK-1").update(valid_to=2029)
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    years = [2026, 2027, 2028, 2029]  # from the current plan year to the goal's last
    client = client_for("namnd")
    formset = client.get(reverse("plan_indicator_create", args=[goal.pk])).context["formset"]
    assert [f.initial.get("year") for f in formset.forms] == years
    indicator = goal.indicators.first()
    have = set(indicator.targets.values_list("year", flat=True))
    formset = client.get(reverse("plan_indicator_edit", args=[indicator.pk])).context["formset"]
    offered = [f.initial.get("year") for f in formset.extra_forms]
    assert offered == [y for y in years if y not in have]
    assert sorted(have | set(offered)) == sorted(have | set(years))
