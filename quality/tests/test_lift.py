"""A deviation lifted into a plan: an activity under a committee goal, linked both ways."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Activity, DirectionGoal, OperationalPlan, OrgUnit, ReportingOccasion
from goals.selectors import history_entries
from quality import services
from quality.models import Deviation
from reporting.data import committee_report_data

pytestmark = pytest.mark.django_db


def deviation_at(code: str, title: str = "Fel i schemaläggningen av elevassistenter") -> Deviation:
    return Deviation.objects.create(
        org_unit=OrgUnit.objects.get(code=code),
        occurred_on=datetime.date(2026, 3, 2),
        title=title,
        description="Två elever med behov av stöd saknade assistent under en vecka.",
        severity=Deviation.Severity.HIGH,
    )


def lift_url(deviation) -> str:
    return reverse("quality:deviation_lift", args=[deviation.pk])


def test_lifting_makes_an_activity_linked_both_ways_with_history(client_for, users):
    deviation = deviation_at("UF-ENS")
    goal = DirectionGoal.objects.get(code="UN-HK-2")
    client = client_for("enhet")
    page = client.get(lift_url(deviation)).content.decode()
    # Only Utbildningsnämnden's goals of the year are offered.
    assert "UN-HK-2" in page and "SN-HK-1" not in page
    response = client.post(
        lift_url(deviation),
        {
            "ar": "2026",
            "direction_goal": goal.pk,
            "title": "Rutin för vikarierande elevassistenter",
            "description": deviation.description,
            "responsible": "Rektor",
        },
    )
    deviation.refresh_from_db()
    activity = deviation.activity
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert activity.plan == OperationalPlan.objects.get(
        org_unit__code="UF-ENS", plan_year__year=2026
    )
    assert activity.direction_goal == goal and activity.responsible == "Rektor"
    assert Activity.objects.get(pk=activity.pk).source_deviation == deviation
    assert deviation.harms_goal_fulfilment is True
    # The activity's page says where it came from, with a link; the deviation's the reverse.
    activity_page = client.get(activity.get_absolute_url()).content.decode()
    assert "Från avvikelse" in activity_page and deviation.get_absolute_url() in activity_page
    assert "2026-03-02 <bdi>Fel i schemaläggningen av elevassistenter</bdi>" in activity_page
    deviation_page = client.get(deviation.get_absolute_url()).content.decode()
    assert activity.get_absolute_url() in deviation_page
    # History on both, by the person who lifted it.
    assert history_entries(activity)[0].who == "Eva Holm"
    latest = history_entries(deviation)[0]
    assert latest.who == "Eva Holm"
    assert any(c.field == "lyft till aktivitet" for c in latest.changes)


def test_lifting_twice_is_refused(client_for, users):
    deviation = deviation_at("UF-ENS")
    goal = DirectionGoal.objects.get(code="UN-HK-2")
    services.deviation_lift_to_plan(
        deviation=deviation, direction_goal=goal, acting_user=users["enhet"]
    )
    with pytest.raises(services.QualityError, match="redan lyft"):
        services.deviation_lift_to_plan(
            deviation=deviation, direction_goal=goal, acting_user=users["enhet"]
        )
    response = client_for("enhet").post(
        lift_url(deviation), {"ar": "2026", "direction_goal": goal.pk, "title": "Igen"}, follow=True
    )
    assert "redan lyft till verksamhetsplanen" in response.content.decode()
    assert Activity.objects.filter(title="Igen").count() == 0
    assert Deviation.objects.get(pk=deviation.pk).activity.title == deviation.title


def test_a_goal_of_another_committee_is_refused_and_the_input_kept(client_for, users):
    deviation = deviation_at("UF-ENS")
    other = DirectionGoal.objects.get(code="SN-HK-1")
    response = client_for("namnd").post(
        lift_url(deviation),
        {"ar": "2026", "direction_goal": other.pk, "title": "Min egen rubrik på aktiviteten"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Välj ett av nämndens inriktningsmål för året i listan." in html
    assert "Min egen rubrik på aktiviteten" in html  # what was typed is still there
    assert 'id="felsammanfattning"' in html
    with pytest.raises(services.QualityError, match="Utbildningsnämnden"):
        services.deviation_lift_to_plan(
            deviation=deviation, direction_goal=other, acting_user=users["namnd"]
        )
    deviation.refresh_from_db()
    assert deviation.activity is None


def test_only_editors_of_the_unit_lift(client_for, users):
    deviation = deviation_at("UF-ENS")
    goal = DirectionGoal.objects.get(code="UN-HK-2")
    data = {"ar": "2026", "direction_goal": goal.pk, "title": "Försök"}
    assert client_for("politiker").post(lift_url(deviation), data).status_code == 403
    assert client_for("klk").post(lift_url(deviation), data).status_code == 403
    assert client_for("outsider").post(lift_url(deviation), data).status_code == 404
    other_unit = deviation_at("UF-FRI")
    assert client_for("enhet").post(lift_url(other_unit), data).status_code == 404
    with pytest.raises(services.QualityError):
        services.deviation_lift_to_plan(
            deviation=deviation, direction_goal=goal, acting_user=users["klk"]
        )
    assert not Activity.objects.filter(title="Försök").exists()


def test_a_missing_plan_is_created_for_the_lift(users):
    deviation = deviation_at("UF-KEV")  # Kevingeskolan has no plan in the demo
    assert not OperationalPlan.objects.filter(org_unit__code="UF-KEV").exists()
    activity = services.deviation_lift_to_plan(
        deviation=deviation,
        direction_goal=DirectionGoal.objects.get(code="UN-HK-1"),
        acting_user=users["namnd"],
    )
    assert activity.plan.org_unit.code == "UF-KEV" and activity.plan.plan_year.year == 2026


def test_the_follow_up_and_the_report_show_where_the_activity_came_from(client_for, users):
    deviation = deviation_at("UF-ENS")
    services.deviation_lift_to_plan(
        deviation=deviation,
        direction_goal=DirectionGoal.objects.get(code="UN-HK-2"),
        acting_user=users["enhet"],
    )
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Delårsrapport")
    page = client_for("enhet").get(reverse("followup_edit", args=[occasion.pk, "UF-ENS"]))
    html = page.content.decode()
    assert "Från avvikelse" in html and deviation.get_absolute_url() in html
    data = committee_report_data(occasion=occasion, org_unit=OrgUnit.objects.get(code="UN"))
    rows = [
        a for area in data["committees"][0]["areas"] for g in area["goals"] for a in g["activities"]
    ]
    lifted = [a for a in rows if "from_deviation" in a]
    assert [a["from_deviation"] for a in lifted] == [
        {"date": "2026-03-02", "text": "Fel i schemaläggningen av elevassistenter"}
    ]


def test_lifted_activities_cost_no_extra_queries(client_for, users):
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Delårsrapport")
    url = reverse("followup_edit", args=[occasion.pk, "UF-ENS"])
    client = client_for("enhet")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    goal = DirectionGoal.objects.get(code="UN-HK-2")
    for n in range(3):
        services.deviation_lift_to_plan(
            deviation=deviation_at("UF-ENS", f"Avvikelse nummer {n}"),
            direction_goal=goal,
            acting_user=users["enhet"],
        )
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert html.count("Från avvikelse") == 3
    assert len(after) == len(before)
    activity = Activity.objects.filter(
        source_deviation__isnull=False, plan__org_unit__code="UF-ENS"
    ).first()
    with CaptureQueriesContext(connection) as detail:
        client.get(activity.get_absolute_url())
    plain = Activity.objects.filter(
        source_deviation__isnull=True, plan__org_unit__code="UF-ENS"
    ).first()
    with CaptureQueriesContext(connection) as plain_detail:
        client.get(plain.get_absolute_url())
    assert len(detail) == len(plain_detail)


def test_the_demo_has_a_lifted_deviation():
    deviation = Deviation.objects.get(title="Kvällsläkemedel gavs med flera timmars försening")
    assert deviation.activity.plan.org_unit.code == "SF-AO-KEV"
    assert deviation.activity.direction_goal.code == "SN-HK-1"


def test_an_analysed_years_plan_is_never_lifted_into(client_for, users):
    """2025 is analysed and closed: not offered, its URL and a tampered form answer 404,
    the service refuses it in Swedish, and nothing is stored."""
    deviation = deviation_at("UF-ENS")
    goal = DirectionGoal.objects.get(code="UN-HK-2")
    client = client_for("enhet")
    page = client.get(lift_url(deviation)).content.decode()
    assert 'href="?ar=2025"' not in page
    assert client.get(lift_url(deviation) + "?ar=2025").status_code == 404
    posted = client.post(
        lift_url(deviation), {"ar": "2025", "direction_goal": goal.pk, "title": "Rutin"}
    )
    assert posted.status_code == 404
    closed = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__year=2025).plan_year
    with pytest.raises(services.QualityError, match="2025 är avslutat"):
        services.deviation_lift_to_plan(
            deviation=deviation, direction_goal=goal, acting_user=users["enhet"], plan_year=closed
        )
    deviation.refresh_from_db()
    assert deviation.activity is None
    assert not Activity.objects.filter(title="Rutin").exists()
