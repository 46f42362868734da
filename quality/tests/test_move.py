"""An indicator moved to the quality system: gone from later plans, follow-ups and reports,
kept by earlier ones and by published PDFs; reversed by an administrator."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from goals import cycle
from goals.models import Indicator, OrgUnit, ReportingOccasion, Submission
from goals.selectors import committee_plan, followup_context, history_entries
from quality import services
from quality.models import IndicatorMove, QualityControl
from reporting import services as report_services
from reporting.data import committee_report_data
from reporting.models import GeneratedReport

pytestmark = pytest.mark.django_db

MOVED_ON = datetime.date(2026, 6, 1)  # after Tertialrapport 1 (30 April), before Delårsrapport


def occasion(name: str, year: int = 2026) -> ReportingOccasion:
    return ReportingOccasion.objects.get(plan_year__year=year, name=name)


def indicator_codes_in_plan(committee: OrgUnit, year: int) -> set[str]:
    plan = committee_plan(committee=committee, year=year)
    return {i.code for a in plan.areas for g in a.goals for i in g.shown_indicators}


def indicator_codes_in_followup(committee: OrgUnit, name: str) -> set[str]:
    occ = occasion(name)
    submission = Submission.objects.filter(occasion=occ, org_unit=committee).first()
    context = followup_context(occasion=occ, unit=committee, submission=submission)
    return {i.code for g in context["goals"] for i in g.plan_indicators}


def indicator_codes_in_report(committee: OrgUnit, name: str) -> set[str]:
    data = committee_report_data(occasion=occasion(name), org_unit=committee)
    return {
        i["code"]
        for a in data["committees"][0]["areas"]
        for g in a["goals"]
        for i in g["indicators"]
    }


def move(users, code="UN-HK-1-2", user="namnd", on=MOVED_ON) -> QualityControl:
    return services.indicator_move_to_quality(
        indicator=Indicator.objects.get(code=code),
        acting_user=users[user],
        reason="Kontrollerar bara att en hög nivå bibehålls.",
        on=on,
    )


def test_moving_on_the_page_makes_a_control_with_the_indicators_history(client_for):
    indicator = Indicator.objects.get(code="UN-HK-1-2")
    client = client_for("namnd")
    detail = client.get(indicator.get_absolute_url()).content.decode()
    assert reverse("quality:indicator_move", args=[indicator.pk]) in detail
    response = client.post(
        reverse("quality:indicator_move", args=[indicator.pk]),
        {"org_unit": OrgUnit.objects.get(code="UN").pk, "reason": "Hög och stabil nivå."},
    )
    control = QualityControl.objects.get(source_indicator=indicator)
    assert response.status_code == 302 and response["Location"] == control.get_absolute_url()
    indicator.refresh_from_db()
    assert indicator.moved_to_quality_on == timezone.localdate()
    assert control.org_unit.code == "UN" and control.active and control.name == indicator.name
    record = IndicatorMove.objects.get(indicator=indicator)
    assert record.moved_by.username == "namnd" and record.reason == "Hög och stabil nivå."
    # History: who moved it, on the indicator and on the control.
    entry = history_entries(indicator)[0]
    assert entry.who == "Nils Ek"
    assert any(c.field == "flyttad till kvalitetsledningssystemet" for c in entry.changes)
    assert history_entries(control)[0].who == "Nils Ek"
    # The control's page shows the indicator's targets and outcomes as they were recorded.
    page = client.get(control.get_absolute_url()).content.decode()
    assert "Målvärden och utfall från indikatorn UN-HK-1-2" in page
    assert "95,8" in page and "96" in page  # the 2025 outcome, the 2026 target
    assert "Hög och stabil nivå." in page
    # And the indicator's page says where it went, without the move button.
    detail = client.get(indicator.get_absolute_url()).content.decode()
    assert "Flyttad till kvalitetsledningssystemet" in detail
    assert control.get_absolute_url() in detail
    assert reverse("quality:indicator_move", args=[indicator.pk]) not in detail


def test_a_move_without_a_reason_is_refused_in_swedish_with_the_choice_kept(client_for):
    indicator = Indicator.objects.get(code="UN-HK-1-2")
    unit = OrgUnit.objects.get(code="UF-ENS")
    response = client_for("namnd").post(
        reverse("quality:indicator_move", args=[indicator.pk]),
        {"org_unit": unit.pk, "reason": "   "},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Skriv varför indikatorn flyttas." in html
    assert f'<option value="{unit.pk}" selected>' in html
    indicator.refresh_from_db()
    assert indicator.moved_to_quality_on is None


def test_who_may_move(client_for, users):
    indicator = Indicator.objects.get(code="UN-HK-1-2")
    url = reverse("quality:indicator_move", args=[indicator.pk])
    data = {"org_unit": OrgUnit.objects.get(code="UN").pk, "reason": "x"}
    assert client_for("politiker").post(url, data).status_code == 403
    assert client_for("enhet").post(url, data).status_code == 403  # a unit head below UN
    assert client_for("outsider").post(url, data).status_code == 404
    with pytest.raises(services.QualityError):
        move(users, user="klk")
    indicator.refresh_from_db()
    assert indicator.moved_to_quality_on is None


def test_the_indicator_leaves_later_occasions_and_plans_but_stays_in_earlier_ones(users):
    un = OrgUnit.objects.get(code="UN")
    assert "UN-HK-1-2" in indicator_codes_in_plan(un, 2026)
    move(users)
    # Plans: from the year of the move on, not before.
    assert "UN-HK-1-2" not in indicator_codes_in_plan(un, 2026)
    assert "UN-HK-1-2" in indicator_codes_in_plan(un, 2025)
    assert "UN-HK-1-1" in indicator_codes_in_plan(un, 2026)
    # Follow-up: an occasion whose period ended before the move keeps it; a later one not.
    assert "UN-HK-1-2" in indicator_codes_in_followup(un, "Tertialrapport 1")
    assert "UN-HK-1-2" not in indicator_codes_in_followup(un, "Delårsrapport")
    assert "UN-HK-1-2" not in indicator_codes_in_followup(un, "Verksamhetsberättelse")
    # Report data the same way.
    assert "UN-HK-1-2" in indicator_codes_in_report(un, "Tertialrapport 1")
    assert "UN-HK-1-2" not in indicator_codes_in_report(un, "Delårsrapport")


def test_a_moved_indicator_no_longer_counts_in_the_suggestion(users):
    un = OrgUnit.objects.get(code="UN")
    submission = cycle.submission_get_or_create(
        occasion=occasion("Verksamhetsberättelse"), org_unit=un
    )
    data = cycle.FollowUpInput(measurements={})
    goal_id = Indicator.objects.get(code="UN-HK-1-2").direction_goal_id
    # UN-HK-1-1 reaches its target, UN-HK-1-2 misses it: partly fulfilled before the move.
    ind1 = Indicator.objects.get(code="UN-HK-1-1")
    ind2 = Indicator.objects.get(code="UN-HK-1-2")
    ind3 = Indicator.objects.get(code="UN-HK-1-3")
    data.measurements = {ind1.pk: (92, ""), ind2.pk: (90, ""), ind3.pk: (60, "")}
    cycle.followup_save(
        submission=submission, user=users["namnd"], base_version=submission.version, data=data
    )
    assert cycle.suggestions_for(submission)[goal_id] == "partly"
    move(users)
    assert cycle.suggestions_for(submission)[goal_id] == "fulfilled"


def test_the_plan_page_and_the_follow_up_page_no_longer_show_it(client_for, users):
    indicator = Indicator.objects.get(code="UN-HK-1-2")
    move(users)
    client = client_for("namnd")
    plan = client.get(reverse("plan_committee", args=["UN"]), {"ar": 2026}).content.decode()
    assert indicator.name not in plan
    assert (
        indicator.name
        in client.get(reverse("plan_committee", args=["UN"]), {"ar": 2025}).content.decode()
    )
    later = client.get(reverse("followup_edit", args=[occasion("Delårsrapport").pk, "UN"]))
    earlier = client.get(reverse("followup_edit", args=[occasion("Tertialrapport 1").pk, "UN"]))
    assert indicator.name not in later.content.decode()
    assert indicator.name in earlier.content.decode()
    goal_page = client.get(
        indicator.direction_goal.get_absolute_url(), {"ar": 2026}
    ).content.decode()
    assert "Flyttade till kvalitetsledningssystemet" in goal_page


def test_a_stored_published_report_keeps_the_moved_indicator(
    users, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    kfn = OrgUnit.objects.get(code="KFN")
    t1 = occasion("Tertialrapport 1")  # published for Kultur- och fritidsnämnden in the demo
    with django_capture_on_commit_callbacks(execute=True):
        report = report_services.request_report(
            kind="committee", occasion=t1, org_unit=kfn, user=users["klk"]
        )
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.DONE and report.published
    before = report.file.read()
    name = "Andel besökare som är nöjda med bibliotekens service"
    move(users, code="KFN-HK-1-1", user="admin")
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        after = handle.read()
    assert after == before
    text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(after)).pages)
    )
    assert name in text
    assert "KFN-HK-1-1" in indicator_codes_in_report(kfn, "Tertialrapport 1")
    assert "KFN-HK-1-1" not in indicator_codes_in_report(kfn, "Delårsrapport")


def test_an_administrator_reverses_the_move(client_for, users):
    un = OrgUnit.objects.get(code="UN")
    control = move(users)
    record = IndicatorMove.objects.get(control=control)
    url = reverse("quality:move_reverse", args=[record.pk])
    # Editors and reviewers may not; the button is only on an administrator's page.
    assert client_for("namnd").post(url, {"reason": "x"}).status_code == 403
    assert client_for("klk").post(url, {"reason": "x"}).status_code == 403
    assert client_for("outsider").post(url, {"reason": "x"}).status_code == 404
    assert "Ångra flytt" not in client_for("namnd").get(control.get_absolute_url()).content.decode()
    with pytest.raises(services.QualityError):
        services.indicator_move_reverse(move=record, acting_user=users["namnd"])
    admin = client_for("admin")
    assert "Ångra flytt" in admin.get(control.get_absolute_url()).content.decode()
    response = admin.post(url, {"reason": "Indikatorn behövs i målstyrningen igen."})
    indicator = Indicator.objects.get(code="UN-HK-1-2")
    assert response.status_code == 302 and response["Location"] == indicator.get_absolute_url()
    control.refresh_from_db()
    record.refresh_from_db()
    assert indicator.moved_to_quality_on is None
    assert control.active is False and QualityControl.objects.filter(pk=control.pk).exists()
    assert record.reversed_by.username == "admin" and record.reversal_reason.startswith(
        "Indikatorn"
    )
    assert "UN-HK-1-2" in indicator_codes_in_plan(un, 2026)
    assert "UN-HK-1-2" in indicator_codes_in_followup(un, "Delårsrapport")
    assert history_entries(indicator)[0].who == "Anna Berg"
    assert history_entries(control)[0].who == "Anna Berg"
    # Reversing twice is refused; moving again brings the same control back.
    with pytest.raises(services.QualityError, match="redan ångrad"):
        services.indicator_move_reverse(move=record, acting_user=users["admin"])
    again = move(users)
    assert again.pk == control.pk and again.active
    assert IndicatorMove.objects.filter(indicator=indicator).count() == 2


def test_moving_twice_is_refused(users):
    move(users)
    with pytest.raises(services.QualityError, match="redan flyttad"):
        move(users)


def test_the_demo_has_a_moved_indicator():
    indicator = Indicator.objects.get(code="MHN-SU-1-1")
    assert indicator.moved_to_quality_on == datetime.date(2026, 6, 15)
    assert indicator.quality_control.org_unit.code == "MHK-LIV"
    mhn = OrgUnit.objects.get(code="MHN")
    assert "MHN-SU-1-1" in indicator_codes_in_followup(mhn, "Tertialrapport 1")
    assert "MHN-SU-1-1" not in indicator_codes_in_followup(mhn, "Delårsrapport")
