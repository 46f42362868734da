"""The municipality report made in parts: continuous page numbers, a true table of contents,
and a part that did not change is not printed again.

The parts, the front matter and the join run through the real tasks (inline, the immediate
backend) and the real WeasyPrint, on the demo. The same report printed as one document
(render.render_report, WeasyPrint's own target-counter in Innehåll) is the yardstick for where
each committee starts: every committee and the appendix begin on a new page, so the joined
document must have the same pages.
"""

import contextlib
import hashlib
import io
import re

import pytest
from pypdf import PdfReader

from goals.models import OrgUnit, ReportingOccasion, Submission
from reporting import parts, render, services, tasks
from reporting.models import GeneratedReport, ReportPart, ReportPartUse
from reporting.tasks import join_report_parts, render_report_part

pytestmark = pytest.mark.django_db

Status = GeneratedReport.Status


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def order(django_capture_on_commit_callbacks, users, media):
    """request_report as a view calls it; every task runs when its transaction commits."""

    def place(occasion, user="klk"):
        with django_capture_on_commit_callbacks(execute=True):
            report = services.request_report(
                kind="municipality", occasion=occasion, org_unit=None, user=users[user]
            )
        report.refresh_from_db()
        return report

    return place


@pytest.fixture
def printed(monkeypatch):
    """Every WeasyPrint run of a part (committee, appendix, front matter), by kind."""
    calls = []
    real = parts.print_html

    def counting(html):
        kind = re.search(r'<section class="(committee|chapter appendix|cover)', html)
        calls.append(kind[1].split()[-1] if kind else "?")
        return real(html)

    monkeypatch.setattr(parts, "print_html", counting)
    return calls


def flat(text: str) -> str:
    text = text.replace("\u2010\n", "").replace("\u00ad", "").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


def pdf_pages(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def stored(report) -> bytes:
    with open(report.file.path, "rb") as handle:
        return handle.read()


def toc_page(text: str, entry: str) -> int:
    found = re.search(rf"{re.escape(entry)}\s*\.+\s*(\d+)", text)
    assert found, f"{entry!r} saknas i innehållsförteckningen: {text[:600]}"
    return int(found[1])


def annual_2025():
    return ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")


def committees() -> list[str]:
    return list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE)
        .order_by("tree_id", "lft")
        .values_list("name", flat=True)
    )


def test_the_joined_report_has_continuous_page_numbers_and_a_true_table_of_contents(order, printed):
    report = order(annual_2025())
    assert report.status == Status.DONE, report.error
    assert report.published and report.version == 1
    data = stored(report)
    assert hashlib.sha256(data).hexdigest() == report.sha256
    pages = pdf_pages(data)
    n = len(pages)
    assert n == report.pages and n >= 15

    # Sida X av Y over the whole document, and the published footer on every page.
    for number, text in enumerate(pages, start=1):
        assert f"Sida {number} av {n}" in text, (number, text[-200:])
        assert "Version 1 · publicerad" in text and "kontrollsumma (sha256)" in text
    assert "UTKAST" not in " ".join(pages)
    # The running header from the second page on, in every part.
    assert all("Verksamhetsberättelse 2025" in text for text in pages[1:])

    # Seven committees and the appendix printed apart, the front matter last and once: its
    # length, guessed from the number of committees on a new scope, was right.
    names = committees()
    assert printed.count("committee") == len(names) and printed.count("appendix") == 1
    assert printed[-1] == "cover" and printed.count("cover") == 1
    assert report.parts_plan["timings"]["front_prints"] == 1
    # The page numbers are drawn from one probe page, not printed page by page.
    assert ReportPart.objects.get(kind=ReportPart.Kind.PAGE_NUMBERS).pages == 1

    # Innehåll gives each committee the page its chapter starts on in the joined document:
    # the same page as WeasyPrint's own target-counter in the single document.
    toc = next(text for text in pages if text.startswith("Innehåll") or " Innehåll " in text)
    root = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
    single = render.render_report(kind="municipality", occasion=annual_2025(), org_unit=root)
    single_pages = pdf_pages(single.pdf)
    assert len(single_pages) == n
    single_toc = next(text for text in single_pages if " Innehåll " in f" {text}")
    for name in [*names, "Bilaga: Styrkedjans täckning"]:
        start = toc_page(toc, name)
        assert start == toc_page(single_toc, name), name
        assert name in pages[start - 1]
        assert name not in pages[start - 2] or name == names[0]  # not on the page before
    for name in names:
        start = toc_page(toc, name)
        assert "Verksamhetens uppdrag" in pages[start - 1], name

    # The entries link to those pages, and the bookmarks lead there too.
    reader = PdfReader(io.BytesIO(data))
    page_of = {page.indirect_reference.idnum: i + 1 for i, page in enumerate(reader.pages)}
    toc_index = pages.index(toc)
    targets = set()
    for annotation in reader.pages[toc_index].get("/Annots", []):
        annotation = annotation.get_object()
        destination = annotation.get("/Dest")
        if destination is not None and not isinstance(destination, str):
            targets.add(page_of[destination[0].idnum])
    assert {toc_page(toc, name) for name in names} <= targets
    outline = {
        item.title: reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list)
    }
    for name in names:
        assert outline[name] == toc_page(toc, name), name


def test_an_unchanged_part_is_not_printed_twice(order, printed):
    delarsrapport = ReportingOccasion.objects.get(
        plan_year__year=2026, kind=ReportingOccasion.Kind.INTERIM_REPORT
    )
    first = order(delarsrapport)
    assert first.status == Status.DONE, first.error
    assert not first.published
    names = committees()
    assert printed.count("committee") == len(names) and printed.count("appendix") == 1
    first_parts = list(ReportPartUse.objects.filter(report=first).values_list("part", flat=True))
    assert len(first_parts) == len(names) + 1

    # The same content again: the same report, nothing printed.
    printed.clear()
    assert order(delarsrapport).pk == first.pk
    assert printed == []

    # One committee changes its follow-up: only its part (and the front matter) is printed.
    submission = Submission.objects.get(occasion=delarsrapport, org_unit__code="SN")
    Submission.objects.filter(pk=submission.pk).update(
        analysis="Hemtjänsten har fått fler brukare än budgeterat under våren."
    )
    printed.clear()
    before = ReportPart.objects.filter(kind=ReportPart.Kind.COMMITTEE).count()
    second = order(delarsrapport)
    assert second.status == Status.DONE, second.error
    assert second.pk != first.pk and second.version == first.version + 1
    assert printed.count("committee") == 1 and printed.count("appendix") == 0
    assert ReportPart.objects.filter(kind=ReportPart.Kind.COMMITTEE).count() == before + 1
    second_parts = list(ReportPartUse.objects.filter(report=second).values_list("part", flat=True))
    changed = [(a, b) for a, b in zip(first_parts, second_parts, strict=True) if a != b]
    assert len(changed) == 1
    assert ReportPart.objects.get(pk=changed[0][1]).label == "Socialnämnden"

    pages = pdf_pages(stored(second))
    assert "Hemtjänsten har fått fler brukare än budgeterat" in " ".join(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Sida {number} av {len(pages)}" in text
        assert "UTKAST" in text  # a draft, on every page
    assert "Hemtjänsten har fått fler brukare" not in " ".join(pdf_pages(stored(first)))


def test_the_data_is_gathered_once_per_order(order, monkeypatch):
    """The request gathers the data for its fingerprint; the worker plans from that data."""
    calls = []
    real = render.gather

    def counting(**kwargs):
        calls.append(kwargs["kind"])
        return real(**kwargs)

    monkeypatch.setattr(render, "gather", counting)
    report = order(annual_2025())
    assert report.status == Status.DONE, report.error
    assert calls == ["municipality"]
    assert services.GATHERED not in report.parts_plan  # the plan replaced the data
    assert report.content_hash == report.parts_plan["fingerprint"]


def test_a_task_delivered_twice_prints_and_joins_once(order, printed):
    report = order(annual_2025())
    assert report.status == Status.DONE, report.error
    part = ReportPartUse.objects.filter(report=report).first().part
    calls = len(printed)
    # A part's task and the join's task turn up again (a retrying queue, a second worker).
    assert render_report_part.enqueue(part.pk, part.attempt).return_value["rendered"] is False
    assert join_report_parts.enqueue(report.pk, report.attempt).return_value["rendered"] is False
    assert len(printed) == calls
    assert GeneratedReport.objects.filter(kind="municipality").count() == 1


def test_a_part_that_fails_fails_the_report_and_ordering_again_retries_it(order, monkeypatch):
    real = parts.print_html

    def failing(html):
        if 'data-scope="Socialnämnden"' in html:
            raise RuntimeError("WeasyPrint föll")
        return real(html)

    monkeypatch.setattr(parts, "print_html", failing)
    tertial = ReportingOccasion.objects.get(
        plan_year__year=2026, kind=ReportingOccasion.Kind.TERTIAL_REPORT
    )
    report = order(tertial)  # the task's error is kept in its result, not raised here
    assert report.status == Status.FAILED
    assert "Socialnämnden" in report.error and "WeasyPrint föll" in report.error
    failed = ReportPart.objects.get(label="Socialnämnden", status=ReportPart.Status.FAILED)

    monkeypatch.setattr(parts, "print_html", real)
    again = order(tertial)
    assert again.pk == report.pk and again.status == Status.DONE, again.error
    failed.refresh_from_db()
    assert failed.status == ReportPart.Status.DONE and failed.attempt == 2


# --- two parts finish at the same moment ---------------------------------------------------------


@pytest.mark.serial
def test_two_parts_finishing_at_once_enqueue_one_join(
    transactional_db, settings, tmp_path, monkeypatch
):
    """Each thread has its own connection and transaction; both mark their part done, then
    meet at a barrier and look for waiting reports at the same moment. On PostgreSQL the
    report's row lock lets exactly one of them see that nothing is left; on SQLite the
    IMMEDIATE transactions serialise them (the barrier times out) with the same outcome.
    Run apart: `pytest -m serial reporting/tests/test_parts.py`.
    """
    import threading

    from django.contrib.auth import get_user_model
    from django.db import connection

    from demo.loader import load_demo
    from goals.models import Vision

    if not Vision.objects.exists():
        load_demo()
    settings.MEDIA_ROOT = tmp_path / "media"
    queued_parts, joins = [], []
    monkeypatch.setattr(tasks, "enqueue_part", lambda *args: queued_parts.append(args))
    monkeypatch.setattr(tasks, "enqueue_join", lambda *args: joins.append(args))
    monkeypatch.setattr(
        parts,
        "print_html",
        lambda html: parts.PrintedPart(pdf=b"%PDF-1.7 del", pages=2, seconds=0.0, links=[]),
    )
    report = services.request_report(
        kind="municipality",
        occasion=annual_2025(),
        org_unit=None,
        user=get_user_model().objects.get(username="klk"),
    )
    report.refresh_from_db()
    assert report.status == Status.RUNNING and len(queued_parts) == len(committees()) + 1
    last_two = queued_parts[-2:]
    for part_id, attempt in queued_parts[:-2]:
        tasks.run_part(part_id, attempt)
    assert joins == []

    barrier = threading.Barrier(2, timeout=3)
    real_done = tasks._part_done
    errors = []

    def meeting(part):
        # SQLite: the other transaction waits for this one's write lock; the barrier breaks.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        real_done(part)

    monkeypatch.setattr(tasks, "_part_done", meeting)

    def finish(part_id, attempt):
        try:
            tasks.run_part(part_id, attempt)
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=args) for args in last_two]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert joins == [(report.pk, report.attempt)]
    report.refresh_from_db()
    assert report.join_attempt == report.attempt
    assert not ReportPart.objects.exclude(status=ReportPart.Status.DONE).exists()


def test_page_numbers_are_drawn_where_weasyprint_prints_them(media):
    """The joined report's "Sida X av Y" comes from one probe page, not one page per page: at
    the place and in the glyphs WeasyPrint prints for every page itself."""
    probe, pages, _seconds = parts.print_overlay(parts.page_number_probe_html())
    assert pages == 1
    numbers = parts.PageNumbers(probe)
    printed, total, _seconds = parts.print_overlay(parts.page_numbers_html(12))
    text = re.compile(rb"1 0 0 -1 ([\d.]+) [\d.]+ Tm.*?\[([^\]]*)\] TJ", re.S)
    for number, page in enumerate(PdfReader(io.BytesIO(printed)).pages, start=1):
        expected = text.search(page.get_contents().get_data())
        drawn = text.search(numbers.stream(number, total))
        assert drawn[2] == expected[2], number  # the same glyphs
        assert abs(float(drawn[1]) - float(expected[1])) < 0.1, number  # at the same place
