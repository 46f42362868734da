"""Reports order themselves: publishing a committee's follow-up orders its report, the last
committee of an occasion the municipality report, never twice for the same content; the
library says when reports appear and how far one in progress has come; a reader's start page
lists the latest published reports.

The tests run the report tasks inline (settings_test: the immediate backend). One prints the
real PDF; the others use test_library's fast fake renderer.
"""

import io
import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from demo.loader import order_demo_reports
from goals import cycle, notices, selectors
from goals.models import OrgUnit, ReportingOccasion, Submission
from reporting import pipeline
from reporting.models import GeneratedReport, ReportPart, ReportPartUse
from reporting.ordering import order_published_reports, order_reports_after_publish
from reporting.tests.test_library import FakeRenderer

pytestmark = pytest.mark.django_db

Status = GeneratedReport.Status
Origin = GeneratedReport.Origin
COMMITTEES = ["KS", "UN", "SN", "KFN", "MHN", "BN", "FN"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fake(monkeypatch, media):
    renderer = FakeRenderer()
    monkeypatch.setattr(pipeline, "renderer", lambda: renderer)
    return renderer


def tertial() -> ReportingOccasion:
    # Tertialrapport 1 2026 in the demo: KS, SN, KFN published; MHN, BN approved; FN
    # submitted; UN not started.
    return ReportingOccasion.objects.get(
        plan_year__year=2026, kind=ReportingOccasion.Kind.TERTIAL_REPORT
    )


def submission(code: str) -> Submission:
    return Submission.objects.get(occasion=tertial(), org_unit__code=code)


def bring_to_approved(code: str, users) -> Submission:
    """Hand in (as the demo does) and approve a committee's Tertialrapport 1."""
    occasion = tertial()
    unit = OrgUnit.objects.get(code=code)
    current = cycle.submission_get_or_create(occasion=occasion, org_unit=unit)
    if current.state in (Submission.State.DRAFT, Submission.State.RETURNED):
        suggestions = selectors.suggestions_for(current)
        data = cycle.FollowUpInput(
            analysis="Analys.",
            assessments={
                g.pk: {
                    "level": suggestions.get(g.pk, "not_assessed"),
                    "forecast_level": suggestions.get(g.pk, "not_assessed"),
                    "justification": "",
                    "comment": "",
                }
                for g in selectors.goals_for(current)
            },
        )
        current = cycle.followup_save(
            submission=current, user=users["admin"], base_version=current.version, data=data
        )
        current = cycle.submission_submit(
            submission=current, user=users["admin"], today=occasion.opens_on
        )
    if current.state == Submission.State.SUBMITTED:
        current = cycle.submission_approve(submission=current, user=users["klk"])
    return current


def publish(code, users, capture, who="klk") -> Submission:
    """Publish as a reviewer does: the reports are ordered when the transaction commits."""
    with capture(execute=True):
        return cycle.submission_publish(submission=bring_to_approved(code, users), user=users[who])


def reports(**filters):
    return list(GeneratedReport.objects.filter(**filters).order_by("pk"))


# --- ordered by publishing -----------------------------------------------------------------------


def test_publishing_a_committee_follow_up_orders_and_prints_its_report(
    media, users, django_capture_on_commit_callbacks
):
    assert not GeneratedReport.objects.exists()
    publish("MHN", users, django_capture_on_commit_callbacks)

    [report] = reports()
    assert (report.kind, report.org_unit.code, report.occasion) == ("committee", "MHN", tertial())
    # Rendered by the (inline) task: a stored, published PDF.
    assert report.status == Status.DONE, report.error
    assert report.published and report.pages >= 1
    with report.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    # Who ordered it, as it happened.
    assert report.requested_by.username == "klk" and report.origin == Origin.PUBLISH


def test_the_library_shows_who_ordered_a_report_by_publishing(
    fake, users, client_for, django_capture_on_commit_callbacks
):
    publish("MHN", users, django_capture_on_commit_callbacks)
    [report] = reports()
    page = client_for("politiker").get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Beställd automatiskt" in page and "publicerade nämndens uppföljning" in page


def test_the_last_committee_of_an_occasion_orders_the_municipality_report(
    fake, users, django_capture_on_commit_callbacks
):
    # Every committee but FN publishes quietly (no signal), as the demo does.
    with notices.suppressed():
        for code in ["MHN", "BN", "UN"]:
            cycle.submission_publish(submission=bring_to_approved(code, users), user=users["klk"])
    assert not GeneratedReport.objects.exists()

    publish("FN", users, django_capture_on_commit_callbacks, who="admin")

    committee, municipality = reports()
    assert (committee.kind, committee.org_unit.code) == ("committee", "FN")
    assert municipality.kind == "municipality"
    assert municipality.org_unit.kind == OrgUnit.Kind.MUNICIPALITY
    assert municipality.occasion == tertial()
    assert municipality.status == Status.DONE and municipality.published
    assert municipality.requested_by.username == "admin"
    assert municipality.origin == Origin.PUBLISH


def test_a_committee_that_is_not_the_last_orders_no_municipality_report(
    fake, users, django_capture_on_commit_callbacks
):
    publish("MHN", users, django_capture_on_commit_callbacks)
    publish("BN", users, django_capture_on_commit_callbacks)
    assert [(r.kind, r.org_unit.code) for r in reports()] == [
        ("committee", "MHN"),
        ("committee", "BN"),
    ]


def test_no_second_report_when_the_same_content_is_ordered_or_done(
    fake, users, client_for, django_capture_on_commit_callbacks
):
    published = publish("MHN", users, django_capture_on_commit_callbacks)
    [report] = reports()
    mhn_printed = lambda: [c for c in fake.calls if c[1:] == (tertial().pk, report.org_unit_id)]  # noqa: E731
    assert len(mhn_printed()) == 1

    # The publish's task delivered twice, the command for old follow-ups, a reviewer's order
    # in the library: all find the report that exists, and nothing is printed again.
    with django_capture_on_commit_callbacks(execute=True):
        order_reports_after_publish.enqueue(published.pk, users["klk"].pk)
        order_published_reports()
        client_for("klk").post(
            reverse("reports_generate"), {"occasion": tertial().pk, "scope": report.org_unit.pk}
        )
    assert reports(org_unit__code="MHN", occasion=tertial()) == [report]
    assert len(mhn_printed()) == 1
    report.refresh_from_db()
    assert report.origin == Origin.PUBLISH and report.version == 1

    # New content (say, new templates): the next order makes version 2, and a second order
    # while version 2 is still queued (not committed here, so not printed) finds it.
    fake.content = "nytt innehåll"
    order_reports_after_publish.enqueue(published.pk, users["klk"].pk)
    order_reports_after_publish.enqueue(published.pk, users["klk"].pk)
    first, second = reports(org_unit__code="MHN", occasion=tertial())
    assert (first.pk, second.version, second.status) == (report.pk, 2, Status.QUEUED)
    assert len(mhn_printed()) == 1


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_orders_its_published_reports_for_a_worker(fake, settings):
    # With a queue (make run: the database backend and its worker) the demo orders every
    # report its published follow-ups call for, by the system; nothing is printed at load.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    order_demo_reports()
    ordered = reports()
    published = Submission.objects.filter(
        state=Submission.State.PUBLISHED, org_unit__kind=OrgUnit.Kind.COMMITTEE
    )
    committees = [r for r in ordered if r.kind == "committee"]
    municipality = [r for r in ordered if r.kind == "municipality"]
    assert len(committees) == published.count() == 17
    # Verksamhetsplan 2026 and Verksamhetsberättelse 2025: every committee published.
    assert sorted((r.occasion.name, r.year) for r in municipality) == [
        ("Verksamhetsberättelse", 2025),
        ("Verksamhetsplan", 2026),
    ]
    assert {(r.status, r.origin, r.requested_by) for r in ordered} == {
        (Status.QUEUED, Origin.SYSTEM, None)
    }
    assert fake.calls == []
    order_demo_reports()  # again: nothing new
    assert GeneratedReport.objects.count() == len(ordered)


def test_with_tasks_run_inline_the_demo_orders_nothing(fake):
    # The test suite's immediate backend would print every report at each test database.
    order_demo_reports()
    assert not GeneratedReport.objects.exists() and fake.calls == []


def test_resetting_the_demo_removes_its_reports_published_ones_too(
    fake, users, django_capture_on_commit_callbacks
):
    publish("MHN", users, django_capture_on_commit_callbacks)
    [report] = reports()
    assert report.published
    path = report.file.path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--reset")
    assert not GeneratedReport.objects.exists() and not ReportPart.objects.exists()
    assert not os.path.exists(path)


# --- the library's pages -------------------------------------------------------------------------


def test_the_empty_library_says_when_reports_appear_and_who_publishes_them(client_for):
    page = client_for("politiker").get(reverse("reports")).content.decode()
    assert "Inga färdiga rapporter ännu" in page
    assert (
        "När kommunledningskontoret publicerar en nämnds uppföljning skapas nämndens rapport"
        in (page)
    )
    assert (
        "när alla nämnders uppföljningar för ett tillfälle är publicerade skapas kommunens" in page
    )
    assert f'href="{reverse("followup")}"' in page  # a way forward meanwhile
    assert f'href="{reverse("review")}"' not in page  # not theirs to publish
    # Kommunledningskontoret is led to where it publishes.
    klk = client_for("klk").get(reverse("reports")).content.decode()
    assert f'href="{reverse("review")}">Granska och publicera uppföljningar' in klk


def test_a_finished_report_never_says_it_is_being_made(
    fake, client_for, django_capture_on_commit_callbacks
):
    client = client_for("namnd")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports_generate"),
            {"occasion": tertial().pk, "scope": OrgUnit.objects.get(code="UN").pk},
        )
    report = GeneratedReport.objects.get()
    assert report.status == Status.DONE
    detail = client.get(response["Location"]).content.decode()
    assert "Ladda ned PDF" in detail
    assert "i bakgrunden" not in detail and "report-progress.js" not in detail
    assert "i bakgrunden" not in client.get(reverse("reports")).content.decode().split("</form>")[1]


def running_municipality_report(done: int, total: int) -> GeneratedReport:
    """A municipality report being printed in parts: `done` of `total` parts finished."""
    report = GeneratedReport.objects.create(
        kind="municipality",
        occasion=tertial(),
        org_unit=OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY),
        version=1,
        content_hash="f" * 64,
        status=Status.RUNNING,
    )
    for n in range(total):
        finished = n < done
        part = ReportPart.objects.create(
            content_hash=f"{n:064d}",
            kind=ReportPart.Kind.COMMITTEE,
            label=f"Nämnd {n}",
            status=ReportPart.Status.DONE if finished else ReportPart.Status.QUEUED,
            file=f"report-parts/{n}.pdf" if finished else "",
            pages=2 if finished else None,
        )
        ReportPartUse.objects.create(report=report, part=part, position=n + 1)
    return report


def test_a_report_in_progress_shows_its_parts_done_of_all(client_for):
    report = running_municipality_report(3, 8)
    client = client_for("klk")
    detail = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "3 av 8 delar klara." in detail
    assert '<progress max="8" value="3"' in detail and "report-progress.js" in detail
    library = client.get(reverse("reports")).content.decode()
    assert "3 av 8 delar klara." in library.split("Beställda rapporter")[1]
    # The script that keeps it current reads the same from the status.
    status = client.get(reverse("report_status", args=[report.pk])).json()
    assert status["progress"] == {"text": "3 av 8 delar klara.", "done": 3, "total": 8}

    ReportPart.objects.update(status=ReportPart.Status.DONE, file="report-parts/x.pdf", pages=2)
    status = client.get(reverse("report_status", args=[report.pk])).json()
    assert status["progress"]["text"] == "Alla 8 delar klara; rapporten sätts samman."
    GeneratedReport.objects.filter(pk=report.pk).update(status=Status.QUEUED)
    detail = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Väntar på en ledig bakgrundsprocess." in detail


# --- a reader's start page -----------------------------------------------------------------------


def test_a_politicians_start_page_lists_the_latest_published_reports(
    fake, users, client_for, django_capture_on_commit_callbacks
):
    start = client_for("politiker").get(reverse("start")).content.decode()
    assert "Senast publicerade rapporter" in start
    assert "Inga publicerade rapporter ännu" in start

    publish("MHN", users, django_capture_on_commit_callbacks)
    [published] = reports()
    with django_capture_on_commit_callbacks(execute=True):  # a draft: not on the start page
        client_for("namnd").post(
            reverse("reports_generate"),
            {"occasion": tertial().pk, "scope": OrgUnit.objects.get(code="UN").pk},
        )
    draft = GeneratedReport.objects.get(org_unit__code="UN")
    assert draft.status == Status.DONE and not draft.published

    start = client_for("politiker").get(reverse("start")).content.decode()
    section = start.split("Senast publicerade rapporter")[1].split("</section>")[0]
    assert reverse("report_detail", args=[published.pk]) in section
    assert "Miljö- och hälsoskyddsnämnden, Tertialrapport 1 2026" in section
    assert reverse("report_download", args=[published.pk]) in section
    assert reverse("report_detail", args=[draft.pk]) not in section
    assert f'href="{reverse("reports")}">Alla rapporter' in section
    # Staff's start pages lead with what they must do; they reach reports through the menu.
    assert (
        "Senast publicerade rapporter"
        not in client_for("namnd").get(reverse("start")).content.decode()
    )


def test_the_command_orders_the_reports_of_earlier_published_follow_ups(fake):
    out = io.StringIO()
    call_command("order_published_reports", stdout=out)
    assert "19 rapport(er) beställda; 0 fanns redan" in out.getvalue()
    assert GeneratedReport.objects.filter(origin=Origin.SYSTEM, requested_by=None).count() == 19
    call_command("order_published_reports", stdout=out)
    assert "0 rapport(er) beställda; 19 fanns redan" in out.getvalue()
