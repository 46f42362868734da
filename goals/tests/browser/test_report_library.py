"""The report library in a real browser: a politician who finds no report is told when reports
appear; a report in progress shows its parts done of all and report-progress.js keeps that
current until the file is offered; the politician's start page lists the published report.
axe-core checks each page."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations, login

pytestmark = pytest.mark.browser


def running_municipality_report(done: int, total: int):
    from goals.models import OrgUnit, ReportingOccasion
    from reporting.models import GeneratedReport, ReportPart, ReportPartUse

    report = GeneratedReport.objects.create(
        kind="municipality",
        occasion=ReportingOccasion.objects.get(plan_year__year=2026, name="Verksamhetsplan"),
        org_unit=OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY),
        version=1,
        content_hash="f" * 64,
        status=GeneratedReport.Status.RUNNING,
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


def test_a_politician_finds_reports_and_follows_one_in_progress(demo, live_server, page):
    from reporting.models import GeneratedReport, ReportPart

    login(page, live_server.url, "politiker")
    page.goto(f"{live_server.url}/rapporter/")
    expect(page.get_by_role("heading", name="Inga färdiga rapporter ännu")).to_be_visible()
    expect(
        page.get_by_text("När kommunledningskontoret publicerar en nämnds uppföljning")
    ).to_be_visible()
    assert_no_serious_axe_violations(page)

    report = running_municipality_report(1, 3)
    page.goto(f"{live_server.url}/rapporter/{report.pk}/")
    expect(page.get_by_text("1 av 3 delar klara.")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Delar klara")).to_have_attribute("value", "1")
    assert_no_serious_axe_violations(page)

    # The script follows the parts, then offers the file and drops what only a report in
    # progress says.
    ReportPart.objects.update(status=ReportPart.Status.DONE, file="report-parts/x.pdf", pages=2)
    expect(page.get_by_text("Alla 3 delar klara; rapporten sätts samman.")).to_be_visible(
        timeout=20_000
    )
    GeneratedReport.objects.filter(pk=report.pk).update(
        status=GeneratedReport.Status.DONE,
        published=True,
        file="reports/2026/verksamhetsplan/kommun.pdf",
        sha256="a" * 64,
        size=1000,
        pages=7,
        finished_at=timezone.now(),
    )
    expect(page.get_by_role("link", name="Ladda ned PDF")).to_be_visible(timeout=20_000)
    expect(page.get_by_text(re.compile("delar klara"))).to_have_count(0)
    expect(page.get_by_role("link", name="Uppdatera sidan")).to_have_count(0)

    page.goto(f"{live_server.url}/")
    latest = page.get_by_role("region", name="Senast publicerade rapporter")
    expect(
        latest.get_by_role("link", name="Kommunens rapport, Verksamhetsplan 2026", exact=True)
    ).to_be_visible()
    assert_no_serious_axe_violations(page)
