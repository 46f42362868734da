"""The municipality report in parts: printed apart, cached by content, joined into one PDF.

    specs = committee_parts(data)               # one per committee, then the appendix
    spec.content_hash                           # data + templates + stylesheet → sha256
    printed = print_html(spec.html())           # PDF, pages, links to other parts
    front = front_data(data)                    # cover, Innehåll, vision, summary
    printed_front = print_front(front, starts=…, …)   # printed last, with the real pages
    pdf = join([front_pdf, *part_pdfs], stamp=…, links=…)

A part carries no page numbers and no footer: they depend on the parts before it and on the
day of printing, so they would change an unchanged part's hash. The joined document gets
them from overlays that WeasyPrint prints with the same stylesheet — the footer line (one
page), and "Sida X av Y" drawn with the glyphs and at the place of one probe page
(PageNumbers) — laid over each page as form XObjects with pikepdf, marked as Pagination
artifacts. The parts are tagged, and their structure trees are joined into one
(reporting.pdfua). The table of contents gives each committee the page it starts on in the
joined document; the front matter is printed last, and printed again if the page count of its
own table of contents changed.
"""

import hashlib
import io
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pikepdf
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from pikepdf import Array, Dictionary, Name

from . import pdfua, render
from .kinds import kind_for
from .phrases import prose_date

# Bump when the way parts are printed changes: every part gets a new hash.
PARTS_FORMAT = 2  # 2: parts tagged, PDF/A-2u (reporting.pdfua)
PX_TO_PT = 0.75  # WeasyPrint: 96 CSS px per inch, 72 PDF points per inch
STAMP = "/StyrStamp"  # + N (page number) or F (footer line)
# What the front matter prints of a committee (Innehåll, the summary's table): the rest is in
# the committee's own part, so that a change there leaves the front matter's hash alone.
FRONT_SECTION_KEYS = ("name", "code", "anchor", "goal_count", "counts")
FRONT_REVIEW_KEYS = ("state", "state_label", "published_on")


# --- hashing -----------------------------------------------------------------------------------


def _printing_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    files = sorted((base / "templates" / "reporting").rglob("*.html"))
    files.append(base / "static" / render.STYLESHEET)
    files.append(base / "goals" / "templatetags" / "styr.py")  # sv_number and the like
    return [f for f in files if f.is_file()]


@lru_cache(maxsize=1)
def printing_digest() -> str:
    """sha256 over the templates, the stylesheet and the filters that print a report."""
    digest = hashlib.sha256(f"parts {PARTS_FORMAT} weasyprint {weasyprint.__version__}".encode())
    base = Path(settings.BASE_DIR)
    for path in _printing_files():
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def part_hash(kind: str, payload: dict) -> str:
    text = render.canonical_json({"part": kind, "payload": payload, "printing": printing_digest()})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the parts -----------------------------------------------------------------------------------


def _frame(data: dict) -> dict:
    """What every part prints around its content: title, scope, occasion, draft."""
    return {
        "kind": data["kind"],
        "municipality": data["municipality"],
        "title": data["title"],
        "scope": data["scope"],
        "occasion": data["occasion"],
        "status": {"draft": data["status"]["draft"]},
    }


@dataclass
class PartSpec:
    """One part to join: its kind, its data and the hash that names it."""

    kind: str  # ReportPart.Kind: committee or appendix
    label: str
    anchor: str
    payload: dict
    content_hash: str = field(init=False)
    # A measure of the part's length (its data's size), so the longest parts start first.
    weight: int = field(init=False)

    def __post_init__(self):
        self.content_hash = part_hash(self.kind, self.payload)
        self.weight = len(render.canonical_json(self.payload))

    def html(self) -> str:
        return part_html(self.kind, self.payload)


def committee_parts(data: dict) -> list[PartSpec]:
    """The municipality report's parts after the front matter, in the order they are joined."""
    frame = _frame(data)
    specs = [
        PartSpec(
            kind="committee",
            label=section["name"],
            anchor=section["anchor"],
            payload={**frame, "committees": [section]},
        )
        for section in data["committees"]
    ]
    specs.append(
        PartSpec(
            kind="appendix",
            label="Bilaga: Styrkedjans täckning",
            anchor="bilaga",
            payload={**frame, "areas": data["areas"], "coverage": data["coverage"]},
        )
    )
    return specs


def part_html(kind: str, payload: dict) -> str:
    report_kind = kind_for(payload["kind"])
    context = {
        "part": kind,
        "report": payload,
        "kind": report_kind,
        "title": render.report_title(payload),
        "draft": payload["status"]["draft"],
        "occasion": payload["occasion"],
    }
    return render_to_string(report_kind.template, context)


def front_data(data: dict) -> dict:
    """The report's data for the front matter: the committees without their chapters."""
    front = {key: value for key, value in data.items() if key not in ("committees", "coverage")}
    front["committees"] = []
    for section in data["committees"]:
        row = {key: section.get(key) for key in FRONT_SECTION_KEYS}
        review = section.get("review", {})
        row["review"] = {key: review.get(key) for key in FRONT_REVIEW_KEYS}
        front["committees"].append(row)
    return front


def front_html(
    front: dict,
    *,
    starts: dict[str, int],
    appendix_page: int | None,
    generated_at,
) -> str:
    """The cover, Innehåll, vision and summary; `starts`: each committee's first page.

    The footer (version, fingerprint) is not printed here but stamped on the joined pages.
    """
    local = timezone.localtime(generated_at) if timezone.is_aware(generated_at) else generated_at
    report = dict(front)
    report["committees"] = [
        {**row, "start_page": starts.get(row["anchor"])} for row in front["committees"]
    ]
    report_kind = kind_for(front["kind"])
    context = {
        "part": "front",
        "report": report,
        "kind": report_kind,
        "title": render.report_title(front),
        "draft": front["status"]["draft"],
        "occasion": front["occasion"],
        "generated_iso": local.replace(microsecond=0).isoformat(),
        "generated_date": local.date().isoformat(),
        "generated_text": prose_date(local.date()),
        "charts": render._charts(front),
        "appendix_page": appendix_page,
    }
    return render_to_string(report_kind.template, context)


def front_pages_guess(committees: int) -> int:
    """The front matter's page count for a report of `committees` committees, before printing.

    Cover, vision and the summary's opening take about five pages; Innehåll and the summary's
    rows per committee add about one page per eight committees (measured: 13 → 7, 37 → 10).
    A right guess prints the front matter once; a wrong one, twice (see joining.front_matter).
    """
    return 5 + -(-committees // 8)


# --- printing ----------------------------------------------------------------------------------


@dataclass
class PrintedPart:
    pdf: bytes
    pages: int
    seconds: float
    # Links to anchors printed in other parts: {"page", "anchor", "rect": [x1, y1, x2, y2]}.
    links: list[dict]


def print_html(html: str) -> PrintedPart:
    """WeasyPrint on one part; links whose anchor lies in another part are kept aside."""
    started = time.perf_counter()
    document = weasyprint.HTML(
        string=html, base_url=render.static_base_url(), url_fetcher=render.StaticFilesURLFetcher()
    ).render()
    anchors = set()
    for page in document.pages:
        anchors.update(page.anchors)
    areas: dict[tuple[int, str], list[float]] = {}  # a link's boxes (text, leader…) as one
    for number, page in enumerate(document.pages):
        for link_type, target, rectangle, _box in page.links:
            if link_type != "internal" or target in anchors:
                continue
            x1, y1, x2, y2 = rectangle
            area = [x1 * PX_TO_PT, (page.height - y2) * PX_TO_PT]
            area += [x2 * PX_TO_PT, (page.height - y1) * PX_TO_PT]
            known = areas.setdefault((number, target), area)
            known[:] = [*map(min, known[:2], area[:2]), *map(max, known[2:], area[2:])]
    links = [
        {"page": number, "anchor": target, "rect": [round(v, 2) for v in area]}
        for (number, target), area in areas.items()
    ]
    # Missing anchors are dropped by WeasyPrint (with a log line each): take them out first.
    for page in document.pages:
        page.links[:] = [link for link in page.links if link[0] != "internal" or link[1] in anchors]
    pdf = document.write_pdf(pdf_tags=True, pdf_variant=pdfua.WEASYPRINT_VARIANT)
    # Page furniture as Pagination artifacts and the charts' full text alternative, here on
    # the workers in parallel rather than in the join, which waits for every part.
    pdf = pdfua.prepare_part(pdf, html)
    return PrintedPart(
        pdf=pdf, pages=len(document.pages), seconds=time.perf_counter() - started, links=links
    )


def footer_text(
    *, draft: bool, generated_at, published_on: str | None, version: int | None, fingerprint: str
) -> str:
    """The footer line of base_report.html, for the overlay."""
    local = timezone.localtime(generated_at) if timezone.is_aware(generated_at) else generated_at
    printed = local.date().isoformat()
    if draft:
        return f"UTKAST – inte fastställt · utskrivet {printed}"
    text = f"Version {version} · " if version else ""
    return (
        f"{text}publicerad {published_on or printed} · innehållets kontrollsumma (sha256) "
        f"{fingerprint[:16]}"
    )


OVERLAY_PAGE = (
    "<style>@page { @top-left { content: none; } @top-center { content: none; } "
    "@top-right { content: none; }%s } .stamp + .stamp { break-before: page; }</style>"
)


def _overlay_html(*, pages: int, body: str, page_rule: str = "") -> str:
    blank = '<div class="stamp"></div>'
    return (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="reporting/print.css">'
        f"{OVERLAY_PAGE % page_rule}</head><body>{body}{blank * pages}</body></html>"
    )


def page_numbers_html(pages: int) -> str:
    """`pages` empty pages with "Sida X av Y" only: the same for every report of that length."""
    return _overlay_html(pages=pages, body="")


def footer_line_html(footer: str) -> str:
    """One empty page with the report's footer line only (the same on every page)."""
    return _overlay_html(
        pages=1,
        body=f'<p class="footerline">{escape(footer)}</p>',
        page_rule=" @bottom-right { content: none; }",
    )


# One page with every glyph "Sida X av Y" needs: each page's number is drawn with its glyphs.
NUMBER_PROBE = "Sida 0123456789 av 0"
_PROBE_TEXT = re.compile(
    rb"1 0 0 -1 (?P<x>-?[\d.]+) -?[\d.]+ Tm\s*/(?P<font>[^\s/]+) (?P<size>[\d.]+) Tf\s*"
    rb"\[(?P<glyphs>[^\]]*)\] TJ"
)


def page_number_probe_html() -> str:
    """One empty page whose page-number box reads NUMBER_PROBE (see PageNumbers)."""
    return _overlay_html(
        pages=1, body="", page_rule=f' @bottom-right {{ content: "{NUMBER_PROBE}"; }}'
    )


class PageNumbers:
    """ "Sida X av Y" for any page of any length, without a WeasyPrint run per page.

    WeasyPrint prints one probe page (NUMBER_PROBE in the page-number box); its content stream
    is the template: the text's glyphs are swapped for the page's own and its start moved so
    that the text ends where the probe's ended (right-aligned, as print.css sets it). The
    probe's subset font holds every digit, so the text reads and extracts as printed.
    """

    def __init__(self, probe_pdf: bytes):
        self.pdf = pikepdf.open(io.BytesIO(probe_pdf))  # kept open: its resources are copied
        page = self.pdf.pages[0]
        contents = page.obj.Contents
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        self.content = b"".join(stream.read_bytes() for stream in streams)
        found = _PROBE_TEXT.search(self.content)
        if found is None:
            raise ValueError("The page-number probe has no text to copy.")
        glyphs = re.findall(rb"<([0-9A-Fa-f]+)>", found["glyphs"])
        if len(glyphs) != len(NUMBER_PROBE):
            raise ValueError("The page-number probe's glyphs are not one per character.")
        font = page.obj.Resources.Font[f"/{found['font'].decode()}"]
        widths = _cid_widths(font.DescendantFonts[0].get("/W", []))
        self.glyph, self.width = {}, {}
        for char, glyph in zip(NUMBER_PROBE, glyphs, strict=True):
            self.glyph[char] = glyph.decode()
            self.width[char] = widths.get(int(glyph, 16), 1000) * float(found["size"]) / 1000
        self.right = float(found["x"]) + sum(self.width[c] for c in NUMBER_PROBE)
        self.x_span, self.glyph_span = found.span("x"), found.span("glyphs")
        self.mediabox = [float(v) for v in page.obj.MediaBox]
        self.resources = page.obj.Resources

    def stream(self, number: int, total: int) -> bytes:
        text = f"Sida {number} av {total}"
        x = self.right - sum(self.width[c] for c in text)
        glyphs = "".join(f"<{self.glyph[c]}>0" for c in text).encode()
        (x_start, x_end), (g_start, g_end) = self.x_span, self.glyph_span
        content = self.content
        return (
            content[:x_start]
            + f"{x:.6f}".encode()
            + content[x_end:g_start]
            + glyphs
            + content[g_end:]
        )


def _cid_widths(array) -> dict[int, float]:
    """A CID font's /W array: `c [w1 w2 …]` and `c_first c_last w` entries."""
    widths, items, i = {}, list(array), 0
    while i < len(items):
        first = int(items[i])
        following = items[i + 1]
        if isinstance(following, list | pikepdf.Array):
            for offset, width in enumerate(following):
                widths[first + offset] = float(width)
            i += 2
        else:
            for cid in range(first, int(following) + 1):
                widths[cid] = float(items[i + 2])
            i += 3
    return widths


def print_overlay(html: str) -> tuple[bytes, int, float]:
    started = time.perf_counter()
    document = weasyprint.HTML(
        string=html, base_url=render.static_base_url(), url_fetcher=render.StaticFilesURLFetcher()
    ).render()
    return document.write_pdf(), len(document.pages), time.perf_counter() - started


# --- joining -----------------------------------------------------------------------------------


@dataclass
class Joined:
    pdf: bytes
    pages: int
    seconds: float


def join(
    pdfs: list[bytes],
    *,
    page_numbers: "bytes | PageNumbers",
    footer_line: bytes,
    links: list[dict],
    anchors: dict[str, int],
    title: str,
    author: str,
) -> Joined:
    """The parts one after another as one tagged document; each page stamped with its page
    number and the footer (Pagination artifacts).

    The parts' structure trees become one (reporting.pdfua.join_tagged), so the joined report
    is PDF/UA-1 and PDF/A-2u like a report printed in one run. `links` are the front matter's
    links to other parts (page 0-based in the first PDF), `anchors` each anchor's page
    (0-based) in the joined document. The parts' bookmarks are kept, pointing at the pages
    they pointed at in their part.
    """
    started = time.perf_counter()
    pdf, front_elements = pdfua.join_tagged(pdfs)
    footer_source = pikepdf.open(io.BytesIO(footer_line))
    footer = _form(pdf, footer_source.pages[0])  # one, shared
    total = len(pdf.pages)
    if isinstance(page_numbers, PageNumbers):
        resources = pdf.copy_foreign(page_numbers.resources)  # the probe's font, shared
        for number, page in enumerate(pdf.pages, start=1):
            form = _form_from(
                pdf, page_numbers.stream(number, total), page_numbers.mediabox, resources
            )
            _stamp(pdf, page, {STAMP + "N": form, STAMP + "F": footer})
    else:  # one overlay page per page
        numbers = pikepdf.open(io.BytesIO(page_numbers))
        if len(numbers.pages) != total:
            raise ValueError(f"Sidnumren har {len(numbers.pages)} sidor men dokumentet {total}.")
        for page, number in zip(pdf.pages, numbers.pages, strict=True):
            _stamp(pdf, page, {STAMP + "N": _form(pdf, number), STAMP + "F": footer})
    _add_links(pdf, links, anchors, front_elements)
    subject = str(pdf.docinfo.get("/Subject", ""))
    pdfua.identify(pdf, title=title, subject=subject, author=author, producer="Styrsystem")
    pdf.Root.PageMode = Name.UseOutlines
    data = pdfua.save(pdf)
    return Joined(pdf=data, pages=total, seconds=time.perf_counter() - started)


def _add_links(pdf: pikepdf.Pdf, links: list[dict], anchors: dict[str, int], front) -> None:
    """The front matter's links to other parts, as tagged link annotations.

    WeasyPrint printed each such <a> as a Link element without its annotation (the target
    was in another part); the annotation made here joins that element (an OBJR), in order
    on the page, or a Link element of its own when the count differs.
    """
    if not links:
        return
    entries = pdfua.parent_tree_nums(pdf)
    next_key = int(pdf.Root.StructTreeRoot.get("/ParentTreeNextKey", 0))
    next_key = max([next_key, *(key + 1 for key in entries)])
    document = pdfua._kids(pdf.Root.StructTreeRoot)[0]
    bare: dict[tuple[int, int], list] = {}
    # The links are the front matter's: only its elements are looked at.
    for element in pdfua._elements_in_order(pdf, front):
        if element.get("/S") != Name.Link or "/Pg" not in element:
            continue
        parent = element.get("/P")
        if isinstance(parent, Dictionary) and parent.get("/S") == Name.Link:
            continue  # the link's ::before/::after (leader, page number): the outer one counts
        if any(
            isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR
            for kid in pdfua._kids(element)
        ):
            continue
        bare.setdefault(element.Pg.objgen, []).append(element)
    by_page: dict[int, list] = {}
    for link in links:
        target = anchors.get(link["anchor"])
        if target is not None:
            by_page.setdefault(link["page"], []).append((link, target))
    for page_index, page_links in by_page.items():
        page = pdf.pages[page_index]
        elements = bare.get(page.obj.objgen, [])
        if len(elements) != len(page_links):
            elements = [None] * len(page_links)
        for (link, target), element in zip(page_links, elements, strict=True):
            annotation = pdf.make_indirect(
                Dictionary(
                    Type=Name.Annot,
                    Subtype=Name.Link,
                    Rect=Array(link["rect"]),
                    Border=Array([0, 0, 0]),
                    F=4,  # printed (PDF/A)
                    Dest=Array([pdf.pages[target].obj, Name.Fit]),
                    Contents=pikepdf.String(f"Gå till sidan {target + 1}"),
                    StructParent=next_key,
                )
            )
            if element is None:
                element = pdf.make_indirect(
                    Dictionary(Type=Name.StructElem, S=Name.Link, P=document, K=Array())
                )
                element.Pg = page.obj
                document.K.append(element)
            reference = Dictionary(Type=Name.OBJR, Obj=annotation, Pg=page.obj)
            if not isinstance(element.get("/K"), Array):
                element.K = Array(pdfua._kids(element))
            element.K.append(reference)
            entries[next_key] = element
            next_key += 1
            if "/Annots" not in page.obj:
                page.obj.Annots = Array()
            page.obj.Annots.append(annotation)
        page.obj.Tabs = Name.S  # tab order follows the structure (PDF/UA)
    pdfua._set_parent_tree(pdf, entries)


def _form(pdf: pikepdf.Pdf, stamp):
    """An overlay page (of another PDF) as a form XObject in `pdf`."""
    contents = stamp.obj.Contents
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return _form_from(
        pdf,
        b"".join(stream.read_bytes() for stream in streams),
        [float(v) for v in stamp.obj.MediaBox],
        pdf.copy_foreign(stamp.obj.Resources),
    )


def _form_from(pdf: pikepdf.Pdf, content: bytes, mediabox, resources):
    form = pikepdf.Stream(pdf, content)
    form.Type = Name.XObject
    form.Subtype = Name.Form
    form.BBox = Array([0, 0, *mediabox[2:]])
    form.Resources = resources
    return pdf.make_indirect(form)


STAMPED = b"\nQ /Artifact <</Type /Pagination /Subtype /Footer>> BDC %s EMC\n"


def _stamp(pdf: pikepdf.Pdf, page, forms: dict) -> None:
    """Lay the forms over `page`, drawn as Pagination artifacts; the page's own content kept."""
    # The page's own resources may be shared with other pages: each page gets a copy of the
    # top level, so that every page names its own stamps.
    source = page.obj.get("/Resources", Dictionary())
    resources = Dictionary({key: source[key] for key in source})
    xobject = resources.get("/XObject", Dictionary())
    xobjects = Dictionary({key: xobject[key] for key in xobject})
    for name, form in forms.items():
        xobjects[name] = form
    resources.XObject = xobjects
    page.obj.Resources = resources
    drawn = " ".join(f"q {name} Do Q" for name in forms).encode()
    before = pdf.make_stream(b"q\n")
    after = pdf.make_stream(STAMPED % drawn)
    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Array):
        existing = list(contents)
    elif contents is not None:
        existing = [contents]
    else:
        existing = []
    page.obj.Contents = Array([before, *existing, after])
