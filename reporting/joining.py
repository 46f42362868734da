"""Joining a parted report: the front matter with real page numbers, the page numbers, one PDF."""

import logging

from django.core.files.base import ContentFile
from django.utils import timezone

from . import pipeline
from .models import GeneratedReport, ReportPart, ReportPartUse, part_upload_to

# Named as before the split, so that the worker's log lines keep their logger name.
logger = logging.getLogger("reporting.services")

PartStatus = ReportPart.Status


def join_parts(report: GeneratedReport):
    """The report's parts, front matter and page numbers joined: (RenderedReport, timings)."""
    from . import parts

    render = pipeline.renderer()
    plan = report.parts_plan
    uses = list(
        ReportPartUse.objects.filter(report=report).select_related("part").order_by("position")
    )
    pieces = []
    for use in uses:
        with use.part.file.storage.open(use.part.file.name, "rb") as handle:
            pieces.append(handle.read())
    generated_at = timezone.now()
    version = report.version if plan["published"] else None
    front, front_seconds = front_matter(report, plan, uses, generated_at=generated_at)
    timings = {"front_seconds": round(front_seconds, 2), "front_prints": front["prints"]}
    starts = front["starts"]
    total = front["part"].pages + sum(use.part.pages for use in uses)
    footer = parts.footer_text(
        draft=plan["draft"],
        generated_at=generated_at,
        published_on=plan["published_on"],
        version=version,
        fingerprint=plan["fingerprint"],
    )
    numbers, overlay_seconds = _page_numbers(total)
    footer_line, _pages, seconds = parts.print_overlay(parts.footer_line_html(footer))
    overlay_seconds += seconds
    timings["overlay_seconds"] = round(overlay_seconds, 2)
    with front["part"].file.storage.open(front["part"].file.name, "rb") as handle:
        front_pdf = handle.read()
    joined = parts.join(
        [front_pdf, *pieces],
        page_numbers=numbers,
        footer_line=footer_line,
        links=front["part"].links,
        anchors={anchor: page - 1 for anchor, page in starts.items()},
        title=plan["title"],
        author=plan["front"]["municipality"],
    )
    timings["join_seconds"] = round(joined.seconds, 2)
    since = report.started_at or report.created_at
    printed_here = sum(
        use.part.seconds or 0
        for use in uses
        if use.part.rendered_at and use.part.rendered_at >= since
    )
    rendered = render.RenderedReport(
        pdf=joined.pdf,
        pages=joined.pages,
        title=plan["title"],
        draft=plan["draft"],
        html="",
        seconds=joined.seconds,
        weasyprint_seconds=printed_here + front_seconds + overlay_seconds,
    )
    return rendered, timings


def front_matter(report, plan, uses, *, generated_at) -> tuple[dict, float]:
    """The front matter for these parts: printed (or found) with each part's first page.

    The table of contents' own length moves every page after it, so the front matter is
    printed again until its page count is the one the page numbers assumed (twice at most in
    practice; the guess is the page count of the last front matter of the same scope, or on a
    new scope an estimate from the number of committees, so that it is printed once).
    """
    from . import parts

    scope_key = f"{report.kind}:{report.occasion_id}:{report.org_unit_id}"
    last = (
        ReportPart.objects.filter(kind=ReportPart.Kind.FRONT, label=scope_key, status="done")
        .order_by("-rendered_at")
        .values_list("pages", flat=True)
        .first()
    )
    front_pages = last or parts.front_pages_guess(len(plan["front"]["committees"]))
    seconds, prints = 0.0, 0
    for _ in range(5):
        starts, page = {}, front_pages + 1
        for use, entry in zip(uses, plan["parts"], strict=True):
            starts[entry["anchor"]] = page
            page += use.part.pages
        arguments = {
            "starts": starts,
            "appendix_page": starts.get("bilaga"),
            "generated_at": generated_at,
        }
        local = timezone.localtime(generated_at).date().isoformat()
        content_hash = parts.part_hash(
            "front",
            {"front": plan["front"], "starts": starts, "date": local},
        )
        part = ReportPart.objects.filter(content_hash=content_hash, status="done").first()
        if part is None or not part.file.storage.exists(part.file.name):
            printed = parts.print_html(parts.front_html(plan["front"], **arguments))
            seconds += printed.seconds
            prints += 1
            part = _store_front(content_hash, scope_key, printed)
        if part.pages == front_pages:
            return {"part": part, "starts": starts, "prints": prints}, seconds
        front_pages = part.pages
    raise RuntimeError("Innehållsförteckningens sidantal blev inte stabilt.")


def _page_numbers(pages: int):
    """ "Sida X av Y" for `pages` pages: drawn from one probe page WeasyPrint prints (kept),
    or, should the probe not read as expected, printed for every page (kept per length)."""
    from . import parts

    content_hash = parts.part_hash(ReportPart.Kind.PAGE_NUMBERS, {"probe": parts.NUMBER_PROBE})
    part = ReportPart.objects.filter(content_hash=content_hash, status="done").first()
    seconds = 0.0
    if part is not None and part.file.storage.exists(part.file.name):
        with part.file.storage.open(part.file.name, "rb") as handle:
            probe = handle.read()
    else:
        probe, printed_pages, seconds = parts.print_overlay(parts.page_number_probe_html())
        printed = parts.PrintedPart(pdf=probe, pages=printed_pages, seconds=seconds, links=[])
        _store_part(content_hash, ReportPart.Kind.PAGE_NUMBERS, parts.NUMBER_PROBE, printed)
    try:
        return parts.PageNumbers(probe), seconds
    except (ValueError, KeyError, IndexError, TypeError):
        logger.warning("The page-number probe did not read as expected: every page printed")
    pdf, more = _page_numbers_printed(pages)
    return pdf, seconds + more


def _page_numbers_printed(pages: int) -> tuple[bytes, float]:
    from . import parts

    content_hash = parts.part_hash(ReportPart.Kind.PAGE_NUMBERS, {"pages": pages})
    part = ReportPart.objects.filter(content_hash=content_hash, status="done").first()
    if part is not None and part.file.storage.exists(part.file.name):
        with part.file.storage.open(part.file.name, "rb") as handle:
            return handle.read(), 0.0
    pdf, printed_pages, seconds = parts.print_overlay(parts.page_numbers_html(pages))
    printed = parts.PrintedPart(pdf=pdf, pages=printed_pages, seconds=seconds, links=[])
    _store_part(content_hash, ReportPart.Kind.PAGE_NUMBERS, f"{pages} sidor", printed)
    return pdf, seconds


def _store_front(content_hash: str, scope_key: str, printed) -> ReportPart:
    return _store_part(content_hash, ReportPart.Kind.FRONT, scope_key, printed)


def _store_part(content_hash: str, kind: str, label: str, printed) -> ReportPart:
    """A part printed inside the join (front matter, page numbers), stored for the next."""
    part = ReportPart(content_hash=content_hash, kind=kind, label=label)
    name = part.file.storage.save(part_upload_to(part, "part.pdf"), ContentFile(printed.pdf))
    fields = {
        "kind": kind,
        "label": label,
        "status": PartStatus.DONE,
        "file": name,
        "pages": printed.pages,
        "size": len(printed.pdf),
        "seconds": round(printed.seconds, 3),
        "links": printed.links,
        "payload": None,
        "error": "",
        "rendered_at": timezone.now(),
    }
    part, _created = ReportPart.objects.update_or_create(content_hash=content_hash, defaults=fields)
    return part
