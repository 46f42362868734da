"""A published follow-up shows what was published, whatever happens to the live rows after.

Utbildningsnämnden's Verksamhetsberättelse 2025 is published in the demo. Its page, its review
page and a new report of the occasion are captured; then every live row they show is changed
through the indicator form, the import, the admin and raw queryset updates; then all three
are read again and must be the same. An unpublished follow-up keeps showing live data.
"""

import datetime
import re
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from goals import cycle
from goals.models import (
    ActivityFollowUp,
    DirectionGoal,
    GoalAssessment,
    Indicator,
    Measurement,
    OrgUnit,
    PublishedFollowUp,
    ReportingOccasion,
    ReviewComment,
    Submission,
    Target,
)
from goals.resources import RESOURCES
from goals.tests.test_planning import _indicator_edit_data
from governance.models import Assignment, AssignmentStatus
from reporting.data import committee_report_data, municipality_report_data

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def annual():
    return ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")


@pytest.fixture
def published(annual):
    submission = Submission.objects.get(occasion=annual, org_unit__code="UN")
    assert submission.state == Submission.State.PUBLISHED
    return submission


def _page(user, url) -> str:
    """The page as a fresh browser shows it (no messages left from earlier requests)."""
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode())


def _indicator_form_changes_target(client, indicator, year, value):
    data = _indicator_edit_data(client, indicator)
    row = next(k for k, v in data.items() if k.endswith("-year") and v == year)
    data[row.replace("-year", "-value")] = value
    response = client.post(reverse("plan_indicator_edit", args=[indicator.pk]), data)
    assert response.status_code == 302, response.context["formset"].errors
    assert Target.objects.get(indicator=indicator, year=year).value == Decimal(value)


def _import_changes_indicator(client, indicator, year, value):
    dataset = RESOURCES["indikatorer"]().export(queryset=Indicator.objects.filter(pk=indicator.pk))
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    targets = dict(part.split("=") for part in row["målvärden"].split("; "))
    targets[str(year)] = value
    row["målvärden"] = "; ".join(f"{y}={v}" for y, v in targets.items())
    row["namn"] = "Namn ändrat genom import"
    out = tablib.Dataset(headers=dataset.headers)
    out.append([row[h] for h in dataset.headers])
    upload = SimpleUploadedFile("ind.csv", out.export("csv").encode(), "text/csv")
    client.post(reverse("data_import"), {"kind": "indikatorer", "file": upload})
    token = client.session["import_upload"]["token"]
    done = client.post(reverse("data_import"), {"action": "confirm", "token": token}, follow=True)
    assert "är importerad" in done.content.decode()
    assert Indicator.objects.get(pk=indicator.pk).name == "Namn ändrat genom import"


def _admin_changes_target(client, target, value):
    url = f"/admin/goals/target/{target.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data["value"] = value
    response = client.post(url, {k: "" if v is None else v for k, v in data.items()})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(value)


def _change_everything_it_shows(client_for, published):
    un_goals = DirectionGoal.objects.filter(committee__code="UN")
    indicators = list(Indicator.objects.filter(direction_goal__in=un_goals).order_by("code"))
    # Forms, import and admin, as committee staff and the administrator would.
    _indicator_form_changes_target(client_for("namnd"), indicators[0], 2025, "12345")
    _import_changes_indicator(client_for("namnd"), indicators[1], 2025, "54321")
    _admin_changes_target(
        client_for("admin"), Target.objects.get(indicator=indicators[2], year=2025), "777"
    )
    # An indicator created later, and one moved in from another committee.
    goal = un_goals.order_by("code").first()
    new = Indicator.objects.create(code="UN-SENARE-1", direction_goal=goal, name="Ny indikator")
    Target.objects.create(indicator=new, year=2025, value=1)
    Indicator.objects.filter(code="SN-HK-1-1").update(direction_goal=goal)
    # Raw updates of every live row the page shows: nothing in the model can stop them.
    Target.objects.filter(indicator__in=indicators, year=2025).update(value=999)
    Measurement.objects.filter(occasion=published.occasion, indicator__in=indicators).update(
        value=-1, comment="Ändrat utfall"
    )
    Indicator.objects.filter(pk__in=[i.pk for i in indicators]).update(name="Rått indikatornamn")
    un_goals.update(title="Rå måltitel")
    OrgUnit.objects.filter(code__startswith="U").update(name="Rått enhetsnamn")
    ReportingOccasion.objects.filter(pk=published.occasion_id).update(name="Rått tillfälle")
    GoalAssessment.objects.filter(submission=published).update(
        level="not_fulfilled", comment="Rå kommentar", justification="Rå motivering"
    )
    ActivityFollowUp.objects.filter(submission=published).update(comment="Rå aktivitet")
    ReviewComment.objects.filter(submission=published).update(text="Rå granskning")
    Submission.objects.filter(pk=published.pk).update(
        analysis="Rå analys", budget_frame_tkr=1, outcome_tkr=2, forecast_tkr=3
    )
    AssignmentStatus.objects.filter(submission=published).update(comment="Rå status")
    Assignment.objects.update(text="Rått uppdrag")


def test_published_page_review_page_and_reports_do_not_change(client_for, users, published, annual):
    un = OrgUnit.objects.get(code="UN")
    page_url = reverse("followup_edit", args=[annual.pk, "UN"])
    review_url = reverse("review_submission", args=[published.pk])
    before = {
        "page": _page(users["namnd"], page_url),
        "review": _page(users["klk"], review_url),
        "committee_report": committee_report_data(occasion=annual, org_unit=un),
        "municipality_report": municipality_report_data(occasion=annual, org_unit=None),
    }
    assert "Målvärde 2025" in before["page"]

    _change_everything_it_shows(client_for, published)

    un.refresh_from_db()
    assert un.name == "Rått enhetsnamn"
    annual.refresh_from_db()
    after = {
        "page": _page(users["namnd"], page_url),
        "review": _page(users["klk"], review_url),
        "committee_report": committee_report_data(occasion=annual, org_unit=un),
        "municipality_report": municipality_report_data(occasion=annual, org_unit=None),
    }
    for raw in ("999", "Rått indikatornamn", "Rå måltitel", "Rått enhetsnamn", "Rå analys"):
        # Not inside a longer number: a timestamp's microseconds (…116999+01:00) may hold 999.
        shown = re.compile(rf"(?<!\d){re.escape(raw)}(?!\d)")
        assert not shown.search(after["page"]) and not shown.search(after["review"]), raw
    assert "Ny indikator" not in after["page"]
    assert after["page"] == before["page"]
    assert after["review"] == before["review"]
    assert after["committee_report"] == before["committee_report"]
    before_sections = {s["code"]: s for s in before["municipality_report"]["committees"]}
    after_sections = {s["code"]: s for s in after["municipality_report"]["committees"]}
    assert after_sections == before_sections  # every committee published the occasion


def test_an_unpublished_follow_up_shows_live_data(users):
    tertial = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    Indicator.objects.filter(direction_goal__committee__code="UN").update(
        name="Levande indikatornamn"
    )
    assert "Levande indikatornamn" in _page(users["namnd"], url)


def test_publishing_freezes_once_and_the_record_cannot_be_changed(client_for, users):
    tertial = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    submission = Submission.objects.get(occasion=tertial, org_unit__code="MHN")
    assert submission.state == Submission.State.APPROVED
    assert not PublishedFollowUp.objects.filter(submission=submission).exists()
    cycle.submission_publish(submission=submission, user=users["klk"])
    record = PublishedFollowUp.objects.get(submission=submission)
    assert record.data["unit"]["name"] == "Miljö- och hälsoskyddsnämnden"
    assert record.data["report"]["section"]["name"] == "Miljö- och hälsoskyddsnämnden"
    record.data["unit"]["name"] = "Ändrad"
    with pytest.raises(Exception, match="publicerad"):
        record.save()
    with pytest.raises(Exception, match="publicerad"):
        record.delete()


def test_follow_ups_published_before_freezing_are_frozen_by_the_command(users, annual):
    submission = Submission.objects.get(occasion=annual, org_unit__code="SN")
    PublishedFollowUp.objects.filter(submission=submission).delete()  # as before this release
    url = reverse("followup_edit", args=[annual.pk, "SN"])
    live = _page(users["klk"], url)
    call_command("freeze_published")
    call_command("freeze_published")  # a second run adds nothing
    assert PublishedFollowUp.objects.filter(submission=submission).count() == 1
    OrgUnit.objects.filter(code="SN").update(name="Rått namn")
    assert _page(users["klk"], url) == live


def test_the_frozen_page_still_hides_other_units_from_a_unit_head(client_for, annual):
    """Access stays live: a unit head reading the committee's page sees their own unit."""
    page = client_for("enhet").get(reverse("followup_edit", args=[annual.pk, "UN"]))
    assert page.context["frozen_record"] is True
    codes = [row.unit.code for row in page.context["rollup"]]
    assert codes == ["UF-ENS"] or codes == []
    assert datetime.date(2025, 12, 31) == page.context["occasion"].period_end
