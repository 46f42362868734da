"""The report library: ordering, background generation, freezing, checksums, permissions.

Most tests replace the PDF renderer (reporting.pipeline.renderer) with a fast fake that keeps
reporting.render's interface, so they test the library and not WeasyPrint's timing; one test
runs the real renderer and one runs the task on RQ over the machine's Redis.
"""

import datetime
import hashlib
import os
import socket
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from goals.models import OrgUnit, ReportingOccasion
from reporting import pipeline, services, tasks
from reporting.models import FrozenReportError, GeneratedReport
from reporting.tasks import generate_report

pytestmark = pytest.mark.django_db

Status = GeneratedReport.Status


@dataclass
class FakeRendered:
    pdf: bytes
    pages: int
    title: str
    draft: bool
    html: str
    seconds: float
    weasyprint_seconds: float


class FakeRenderer:
    """reporting.render's interface (gather, fingerprint, render_report), fast and counted."""

    def __init__(self):
        self.calls = []
        self.content = "innehåll 1"
        self.fail_with = None

    def gather(self, *, kind, occasion, org_unit):
        return {"kind": kind, "occasion": occasion.pk, "org": org_unit.pk, "text": self.content}

    def fingerprint(self, data):
        return hashlib.sha256(repr(sorted(data.items())).encode()).hexdigest()

    def render_report(self, *, kind, occasion, org_unit, data=None, generated_at=None):
        self.calls.append((kind, occasion.pk, org_unit.pk))
        if self.fail_with:
            raise self.fail_with
        draft = not services.covered_submissions_published(
            kind=kind, occasion=occasion, org_unit=org_unit
        )
        body = f"%PDF-1.7 fake {kind} {occasion.pk} {org_unit.code} {data['text']} {draft}"
        return FakeRendered(
            pdf=body.encode(),
            pages=3,
            title=f"{occasion.name} {occasion.plan_year.year} – {org_unit.name}",
            draft=draft,
            html="<html></html>",
            seconds=0.01,
            weasyprint_seconds=0.005,
        )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fake(monkeypatch, media):
    renderer = FakeRenderer()
    monkeypatch.setattr(pipeline, "renderer", lambda: renderer)
    return renderer


@pytest.fixture
def order(django_capture_on_commit_callbacks, users):
    """request_report as a view calls it: the task is enqueued when the transaction commits."""

    def place(kind, occasion, org_unit, user="namnd"):
        with django_capture_on_commit_callbacks(execute=True):
            report = services.request_report(
                kind=kind, occasion=occasion, org_unit=org_unit, user=users[user]
            )
        report.refresh_from_db()
        return report

    return place


def occasion(year, kind) -> ReportingOccasion:
    return ReportingOccasion.objects.get(plan_year__year=year, kind=kind)


def unit(code) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def delarsrapport():
    # Delårsrapport 2026: SN's handed in, UN's not started: every report of it is a draft.
    return occasion(2026, ReportingOccasion.Kind.INTERIM_REPORT)


def verksamhetsplan():
    # Verksamhetsplan 2026: every committee's plan is published in the demo.
    return occasion(2026, ReportingOccasion.Kind.OPERATIONAL_PLAN)


def file_bytes(report) -> bytes:
    with open(report.file.path, "rb") as handle:
        return handle.read()


# --- exactly once --------------------------------------------------------------------------------


def test_enqueued_twice_for_the_same_content_runs_once(fake, order):
    first = order("committee", delarsrapport(), unit("UN"))
    second = order("committee", delarsrapport(), unit("UN"))
    assert second.pk == first.pk
    assert len(fake.calls) == 1
    assert first.status == Status.DONE and first.version == 1
    assert GeneratedReport.objects.filter(org_unit__code="UN").count() == 1

    # The task itself delivered twice (a retrying queue, a second worker) renders nothing more.
    generate_report.enqueue(first.pk, first.attempt)
    generate_report.enqueue(first.pk, first.attempt)
    assert len(fake.calls) == 1
    first.refresh_from_db()
    assert first.status == Status.DONE


def test_a_second_order_while_the_first_is_queued_is_the_same_report(fake, users):
    # No commit, so no task yet: the first order is still queued when the second comes.
    first = services.request_report(
        kind="committee", occasion=delarsrapport(), org_unit=unit("UN"), user=users["namnd"]
    )
    second = services.request_report(
        kind="committee", occasion=delarsrapport(), org_unit=unit("UN"), user=users["klk"]
    )
    assert (first.newly_queued, second.newly_queued) == (True, False)
    assert second.pk == first.pk and second.status == Status.QUEUED
    assert fake.calls == []


def test_the_database_refuses_two_rows_for_the_same_content(fake, order):
    report = order("committee", delarsrapport(), unit("UN"))
    with pytest.raises(IntegrityError), transaction.atomic():
        GeneratedReport.objects.create(
            kind=report.kind,
            occasion=report.occasion,
            org_unit=report.org_unit,
            version=report.version + 1,
            content_hash=report.content_hash,
        )


def test_a_request_that_loses_the_race_returns_the_winners_report(fake, users, monkeypatch):
    """Two requests for the same content at once: the unique constraint stops the second."""
    ask = {"kind": "committee", "occasion": delarsrapport(), "org_unit": unit("UN")}
    # The other request's row, committed between our look-up and our insert.
    winner = services.request_report(**ask, user=users["klk"])
    real = services._find_or_queue
    calls = []

    def racing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed: generatedreport_unique_content")
        return real(**kwargs)

    monkeypatch.setattr(services, "_find_or_queue", racing)
    report = services.request_report(**ask, user=users["namnd"])
    assert len(calls) == 2
    assert report.pk == winner.pk and not report.newly_queued
    assert GeneratedReport.objects.count() == 1


def test_new_content_gives_the_next_version(fake, order):
    first = order("committee", delarsrapport(), unit("UN"))
    fake.content = "innehåll 2"
    second = order("committee", delarsrapport(), unit("UN"))
    assert (first.version, second.version) == (1, 2)
    assert second.file.name != first.file.name
    assert len(fake.calls) == 2
    # Versions count per kind, occasion and scope.
    other = order("committee", delarsrapport(), unit("SN"), user="klk")
    assert other.version == 1


def test_the_municipality_report_is_stored_under_the_municipality_root(fake, order):
    report = order("municipality", verksamhetsplan(), None, user="klk")
    root = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
    assert report.org_unit == root
    assert report.status == Status.DONE and report.published
    assert fake.calls == [("municipality", verksamhetsplan().pk, root.pk)]


# --- stored file, freezing, published ------------------------------------------------------------


def test_the_stored_file_has_its_checksum_pages_and_timings(fake, order):
    report = order("committee", delarsrapport(), unit("UN"))
    data = file_bytes(report)
    assert data.startswith(b"%PDF")
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    assert report.size == len(data) and report.pages == 3
    assert report.file.name.startswith("reports/2026/")
    assert report.requested_by.username == "namnd"
    assert report.finished_at >= report.created_at
    assert report.render_seconds is not None and report.weasyprint_seconds == 0.005
    assert not report.published  # UN has not handed in its Delårsrapport


def test_published_only_when_every_covered_submission_is_published(fake, order):
    tertial = occasion(2026, ReportingOccasion.Kind.TERTIAL_REPORT)
    assert order("committee", tertial, unit("KS"), user="klk").published  # KS: published
    assert not order("committee", tertial, unit("BN"), user="klk").published  # BN: approved
    assert not order("committee", tertial, unit("UN"), user="klk").published  # UN: none
    assert not order("municipality", tertial, None, user="klk").published
    assert order("committee", verksamhetsplan(), unit("UN")).published


def test_a_published_report_is_frozen_and_generating_again_makes_a_new_version(fake, order):
    first = order("committee", verksamhetsplan(), unit("UN"))
    assert first.published and first.status == Status.DONE
    stored = file_bytes(first)
    row = GeneratedReport.objects.filter(pk=first.pk).values().get()

    fake.content = "ändrad vision"  # something the report shows changed
    second = order("committee", verksamhetsplan(), unit("UN"))
    assert second.pk != first.pk and second.version == first.version + 1
    assert second.published
    assert file_bytes(first) == stored
    assert GeneratedReport.objects.filter(pk=first.pk).values().get() == row

    first.sha256 = "0" * 64
    with pytest.raises(FrozenReportError):
        first.save()
    with pytest.raises(FrozenReportError):
        first.delete()
    with pytest.raises(FrozenReportError):
        GeneratedReport.objects.filter(pk=first.pk).delete()
    assert GeneratedReport.objects.filter(pk=first.pk, sha256=row["sha256"]).exists()
    assert os.path.exists(first.file.path)


def test_a_draft_may_be_deleted_with_its_file(fake, order):
    report = order("committee", delarsrapport(), unit("UN"))
    path = report.file.path
    report.delete()
    assert not os.path.exists(path)


# --- failures and lost workers -------------------------------------------------------------------


def test_a_failed_generation_is_recorded_and_the_same_order_retries_it(fake, order):
    fake.fail_with = RuntimeError("WeasyPrint föll")
    failed = order("committee", delarsrapport(), unit("UN"))
    assert failed.status == Status.FAILED
    assert "WeasyPrint föll" in failed.error and not failed.file
    fake.fail_with = None
    retried = order("committee", delarsrapport(), unit("UN"))
    assert retried.pk == failed.pk and retried.attempt == failed.attempt + 1
    assert retried.status == Status.DONE and retried.version == 1 and retried.error == ""
    # A late delivery of the failed attempt's task does nothing.
    generate_report.enqueue(failed.pk, failed.attempt)
    assert len(fake.calls) == 2


def test_a_lost_order_is_queued_again_after_the_stale_limit(fake, users, order, settings):
    settings.REPORT_STALE_MINUTES = 30
    lost = services.request_report(
        kind="committee", occasion=delarsrapport(), org_unit=unit("UN"), user=users["namnd"]
    )  # never enqueued: as if no worker ever ran
    GeneratedReport.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    again = order("committee", delarsrapport(), unit("UN"))
    assert again.pk == lost.pk and again.attempt == lost.attempt + 1
    assert again.status == Status.DONE and len(fake.calls) == 1
    # The lost attempt, if its task turns up after all, renders nothing.
    generate_report.enqueue(lost.pk, lost.attempt)
    assert len(fake.calls) == 1


def test_an_enqueue_that_fails_fails_the_report(fake, users, monkeypatch, order):
    def refuse(*args, **kwargs):
        raise ConnectionError("kön svarar inte")

    refusing = SimpleNamespace(enqueue=refuse, using=lambda **_: refusing)  # any priority
    monkeypatch.setattr(tasks, "generate_report", refusing)
    report = order("committee", delarsrapport(), unit("UN"))
    assert report.status == Status.FAILED and "kön svarar inte" in report.error


# --- downloads -----------------------------------------------------------------------------------


def test_download_gives_the_checked_file(fake, order, client_for):
    report = order("committee", delarsrapport(), unit("UN"))
    response = client_for("namnd").get(reverse("report_download", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == file_bytes(report)
    assert response["X-Report-SHA256"] == report.sha256


def test_a_tampered_file_is_refused_at_download(fake, order, client_for):
    report = order("committee", verksamhetsplan(), unit("UN"))
    with open(report.file.path, "r+b") as handle:
        handle.seek(5)
        handle.write(b"X")
    response = client_for("politiker").get(reverse("report_download", args=[report.pk]))
    assert response.status_code == 409
    text = response.content.decode()
    assert "stämmer inte med den kontrollsumma" in text
    assert "%PDF" not in text


def test_a_missing_file_is_a_clear_404(fake, order, client_for):
    report = order("committee", delarsrapport(), unit("UN"))
    os.remove(report.file.path)
    response = client_for("namnd").get(reverse("report_download", args=[report.pk]))
    assert response.status_code == 404
    assert "saknas på servern" in response.content.decode()


def test_nothing_is_served_from_media_url(fake, order, client):
    report = order("committee", verksamhetsplan(), unit("UN"))
    assert client.get(f"/media/{report.file.name}").status_code == 404
    assert client.get(report.file.url).status_code == 404


# --- who sees what -------------------------------------------------------------------------------


def _login_redirect(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == reverse("login")


def test_anonymous_visitors_log_in_unless_reports_are_public(fake, order, client, settings):
    published = order("committee", verksamhetsplan(), unit("UN"))
    draft = order("committee", delarsrapport(), unit("UN"))
    for url in (
        reverse("reports"),
        reverse("report_detail", args=[published.pk]),
        reverse("report_download", args=[published.pk]),
        reverse("report_status", args=[published.pk]),
    ):
        assert _login_redirect(client.get(url)), url

    settings.REPORTS_PUBLIC = True
    page = client.get(reverse("reports"))
    assert page.status_code == 200
    assert reverse("report_download", args=[published.pk]) in page.content.decode()
    assert reverse("report_detail", args=[draft.pk]) not in page.content.decode()
    assert "Skapa en rapport" not in page.content.decode()
    assert client.get(reverse("report_download", args=[published.pk])).status_code == 200
    assert _login_redirect(client.get(reverse("report_download", args=[draft.pk])))
    assert _login_redirect(client.get(reverse("report_detail", args=[draft.pk])))
    assert _login_redirect(client.post(reverse("reports_generate")))


def test_another_committees_editor_gets_404_on_a_committee_draft(fake, order, client_for):
    sn_draft = order("committee", delarsrapport(), unit("SN"), user="klk")
    sn_published = order("committee", verksamhetsplan(), unit("SN"), user="klk")
    client = client_for("namnd")  # editor of UN
    for name in ("report_detail", "report_download", "report_status"):
        assert client.get(reverse(name, args=[sn_draft.pk])).status_code == 404, name
        assert client.get(reverse(name, args=[sn_published.pk])).status_code == 200, name
    page = client.get(reverse("reports")).content.decode()
    assert reverse("report_detail", args=[sn_draft.pk]) not in page
    assert reverse("report_detail", args=[sn_published.pk]) in page


def test_drafts_are_seen_within_the_committees_subtree_and_from_above(fake, order, client_for):
    un_draft = order("committee", delarsrapport(), unit("UN"))
    municipality_draft = order("municipality", delarsrapport(), None, user="klk")
    url = lambda r: reverse("report_detail", args=[r.pk])  # noqa: E731
    # enhet: editor of a unit under UN; politiker: reader of the municipality.
    for persona in ("namnd", "enhet", "politiker", "klk", "admin"):
        client = client_for(persona)
        assert client.get(url(un_draft)).status_code == 200, persona
        assert client.get(url(municipality_draft)).status_code == 200, persona
    outsider = client_for("outsider")
    assert outsider.get(url(un_draft)).status_code == 404
    assert outsider.get(url(municipality_draft)).status_code == 404
    assert outsider.get(reverse("reports")).status_code == 200


def test_the_library_groups_published_reports_by_year_and_occasion_newest_first(
    fake, order, client_for
):
    older = order("committee", occasion(2025, ReportingOccasion.Kind.ANNUAL_REPORT), unit("UN"))
    newer = order("committee", verksamhetsplan(), unit("UN"))
    page = client_for("outsider").get(reverse("reports")).content.decode()
    assert page.index("Verksamhetsplan 2026") < page.index("Verksamhetsberättelse 2025")
    assert page.index(reverse("report_detail", args=[newer.pk])) < page.index(
        reverse("report_detail", args=[older.pk])
    )
    assert "Publicerad" in page


# --- ordering through the web --------------------------------------------------------------------


def test_an_editor_orders_the_committee_report_and_follows_its_progress(
    fake, client_for, django_capture_on_commit_callbacks
):
    client = client_for("namnd")
    page = client.get(reverse("reports")).content.decode()
    assert "Skapa en rapport" in page and "Nämndens rapport: Utbildningsnämnden" in page
    assert "Kommunens rapport (alla nämnder)" not in page  # not for a committee's editor
    assert "Socialnämnden" not in page.split("Skapa en rapport")[1].split("</form>")[0]

    # Queued: the page shows progress and the script that follows it (no inline script).
    response = client.post(
        reverse("reports_generate"), {"occasion": delarsrapport().pk, "scope": unit("UN").pk}
    )
    report = GeneratedReport.objects.get(org_unit__code="UN")
    assert response.status_code == 302
    assert response["Location"] == reverse("report_detail", args=[report.pk])
    assert report.status == Status.QUEUED and fake.calls == []
    detail = client.get(response["Location"]).content.decode()
    assert "I kö" in detail and "report-progress.js" in detail and "<script>" not in detail
    status = client.get(reverse("report_status", args=[report.pk])).json()
    assert status["status"] == "queued" and status["pending"] is True
    assert "I kö" in client.get(reverse("reports")).content.decode()

    # Done: the file is offered.
    services.enqueue_generation(report.pk, report.attempt)
    status = client.get(reverse("report_status", args=[report.pk])).json()
    assert status["status"] == "done" and status["pending"] is False
    assert status["download_url"] == reverse("report_download", args=[report.pk])
    detail = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Ladda ned PDF" in detail and "report-progress.js" not in detail

    # The same order again: nothing new is made.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports_generate"), {"occasion": delarsrapport().pk, "scope": unit("UN").pk}
        )
    assert GeneratedReport.objects.filter(org_unit__code="UN").count() == 1
    assert len(fake.calls) == 1


def test_only_editors_reviewers_and_admins_order_reports(fake, client_for):
    url = reverse("reports_generate")
    sn = {"occasion": delarsrapport().pk, "scope": unit("SN").pk}
    municipality = {"occasion": delarsrapport().pk, "scope": "kommun"}
    # A committee's editor: not another committee's report, not the municipality's.
    namnd = client_for("namnd")
    response = namnd.post(url, sn)
    assert response.status_code == 400
    assert "Välj en rapport som du får skapa" in response.content.decode()
    assert namnd.post(url, municipality).status_code == 400
    assert namnd.get(url).status_code == 405
    for persona in ("politiker", "enhet", "outsider"):
        assert client_for(persona).post(url, sn).status_code == 403, persona
    assert not GeneratedReport.objects.exists()
    for persona in ("klk", "admin"):
        assert client_for(persona).post(url, municipality).status_code == 302, persona
    assert GeneratedReport.objects.filter(kind="municipality").count() == 1


# --- the real renderer ---------------------------------------------------------------------------


def test_the_real_renderer_makes_a_stored_published_pdf(media, order, client_for):
    try:
        from reporting import render  # noqa: F401
    except ImportError as missing:
        pytest.skip(f"reporting.render (the PDF renderer) cannot be imported yet: {missing}")
    report = order("committee", verksamhetsplan(), unit("UN"))
    assert report.status == Status.DONE, report.error
    assert report.published and report.pages >= 1
    data = file_bytes(report)
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == report.sha256
    assert report.render_seconds >= report.weasyprint_seconds > 0
    response = client_for("politiker").get(reverse("report_download", args=[report.pk]))
    assert response.status_code == 200
    # Nothing changed: ordering again finds the same report.
    assert order("committee", verksamhetsplan(), unit("UN")).pk == report.pk


# --- RQ over Redis -------------------------------------------------------------------------------


def _redis_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


def test_the_task_runs_on_an_rq_worker_over_redis(
    fake, users, settings, monkeypatch, django_capture_on_commit_callbacks
):
    pytest.importorskip("django_tasks_rq", reason="django-tasks-rq is not installed")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if not _redis_reachable(redis_url):
        pytest.skip(f"Redis is not reachable at {redis_url}: the RQ test needs a running Redis")
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    # A queue of this test's own, so that nothing else on the Redis is touched.
    queue_name = f"styrsystem-test-{uuid.uuid4().hex[:8]}"
    # ("default" too: django-tasks-rq fetches results through django_rq's default connection.)
    settings.RQ_QUEUES = {
        "default": {"URL": redis_url},
        queue_name: {"URL": redis_url, "DEFAULT_TIMEOUT": 300},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]}}
    monkeypatch.setattr(
        tasks, "generate_report", tasks.generate_report.using(queue_name=queue_name)
    )
    queue = django_rq.get_queue(queue_name, job_class=Job)
    try:
        ask = {"kind": "committee", "occasion": delarsrapport(), "org_unit": unit("UN")}
        with django_capture_on_commit_callbacks(execute=True):
            report = services.request_report(**ask, user=users["namnd"])
        with django_capture_on_commit_callbacks(execute=True):
            again = services.request_report(**ask, user=users["klk"])
        assert again.pk == report.pk and not again.newly_queued
        report.refresh_from_db()
        first_task = report.task_id
        services.enqueue_generation(report.pk, report.attempt)  # the task delivered twice
        assert queue.count == 2
        report.refresh_from_db()
        assert report.status == Status.QUEUED and report.task_id and fake.calls == []

        # The worker runs in this process, so that it shares the test's database transaction;
        # the jobs still travel through Redis (pickled) and run as django_tasks_rq.Job.
        worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
        worker.work(burst=True)

        report.refresh_from_db()
        assert report.status == Status.DONE, report.error
        assert len(fake.calls) == 1
        results = [tasks.generate_report.get_result(i) for i in (first_task, report.task_id)]
        assert [r.status for r in results] == ["SUCCESSFUL", "SUCCESSFUL"]
        assert [r.return_value["rendered"] for r in results] == [True, False]
    finally:
        queue.empty()
        queue.delete(delete_jobs=True)
