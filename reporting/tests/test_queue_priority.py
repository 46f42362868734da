"""On the database worker's queue a report ordered in the library goes before the reports that
publishing ordered: thirty-odd committees publishing at once do not make a reader wait for them.
"""

import pytest
from django_tasks_db.models import DBTaskResult

from goals.models import OrgUnit, ReportingOccasion
from reporting import pipeline, services
from reporting.models import GeneratedReport
from reporting.tests.test_library import FakeRenderer

pytestmark = pytest.mark.django_db

Origin = GeneratedReport.Origin
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def queue(settings, monkeypatch, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_QUEUE  # the queue make run and make loadtest use
    monkeypatch.setattr(pipeline, "renderer", FakeRenderer)


def tertial() -> ReportingOccasion:
    return ReportingOccasion.objects.get(
        plan_year__year=2026, kind=ReportingOccasion.Kind.TERTIAL_REPORT
    )


def order(code: str, *, origin: str, user=None) -> GeneratedReport:
    return services.request_report(
        kind="committee",
        occasion=tertial(),
        org_unit=OrgUnit.objects.get(code=code),
        user=user,
        origin=origin,
    )


def next_for_a_worker() -> list:
    """The queued tasks in the order db_worker takes them (its own query)."""
    return [
        (t.task_path.rsplit(".", 1)[-1], t.args_kwargs["args"][0])
        for t in DBTaskResult.objects.ready()
    ]


def test_a_library_order_goes_before_reports_ordered_by_publishing(
    queue, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published = [order(code, origin=Origin.PUBLISH) for code in ("KS", "SN", "KFN")]
        system = order("MHN", origin=Origin.SYSTEM)
        wanted = order("UN", origin=Origin.LIBRARY, user=users["namnd"])
    assert next_for_a_worker() == [
        ("generate_report", wanted.pk),
        # The rest as they were ordered: none of them is waited for by someone in the library.
        *[("generate_report", r.pk) for r in published],
        ("generate_report", system.pk),
    ]


def annual_2025() -> ReportingOccasion:
    # Verksamhetsberättelse 2025 in the demo: every committee published.
    return ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")


@pytest.mark.parametrize(
    ("origin", "priority"), [(Origin.LIBRARY, 100), (Origin.PUBLISH, 0)], ids=["library", "publish"]
)
def test_a_municipality_reports_parts_and_join_keep_the_priority_of_its_order(
    settings, tmp_path, monkeypatch, users, django_capture_on_commit_callbacks, origin, priority
):
    from reporting import parts, tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setattr(
        parts,
        "print_html",
        lambda html: parts.PrintedPart(pdf=b"%PDF-1.7 del", pages=2, seconds=0.0, links=[]),
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(
            kind="municipality",
            occasion=annual_2025(),
            org_unit=None,
            user=users["klk"],
            origin=origin,
        )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_generation(report.pk, report.attempt)  # as db_worker would: plans the parts

    def queued(name: str) -> list:
        return [
            (t.args_kwargs["args"][0], t.priority)
            for t in DBTaskResult.objects.ready().filter(task_path__endswith=f".{name}")
        ]

    part_tasks = queued("render_report_part")
    assert len(part_tasks) == OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE).count() + 1
    assert {p for _part, p in part_tasks} == {priority}
    with django_capture_on_commit_callbacks(execute=True):
        for part_id, _priority in part_tasks:
            tasks.run_part(part_id, 1)
    assert queued("join_report_parts") == [(report.pk, priority)]
