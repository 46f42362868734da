"""The project's own structure check of a report PDF (PDF/UA-1 and PDF/A-2 essentials).

    problems = check(pdf_bytes)          # [] when the file passes
    problems = check(pdf_bytes, only={"content", "headings"})

No validator for PDF/UA or PDF/A installs from the package registries (veraPDF is Java), so
the reports are read back with pikepdf and checked for what a screen reader and an archive
need most. Each check is a function of its own (CHECKS) and says what it found, page by page:

* content   – every text, path, image or form drawn on a page is inside marked content whose
              MCID the structure tree reaches (through the ParentTree), or inside an Artifact;
* pagination – marked content the tree does not reach is not left as plain content (see content)
              and artifacts carry a /Type (Pagination for headers, footers, page numbers);
* headings  – H1…H6 in reading order never skip a level downwards (H1 → H3);
* figures   – every Figure has a non-empty Alt; a chart's Alt (the reports' figures are
              charts) carries its numbers: at least one digit;
* tables    – every Table has TH cells;
* document  – Lang, Title (Info and dc:title), DisplayDocTitle true, MarkInfo Marked true;
* fonts     – every font used on a page (forms included) is embedded;
* identification – XMP pdfuaid:part and pdfaid:part/conformance present and true of the file:
              a StructTreeRoot for PDF/UA, a PDF version PDF/A-2 allows (≤ 1.7) and an
              OutputIntent with an ICC profile.
"""

import io
import re

import pikepdf
from pikepdf import Array, Dictionary, Name

from .pdfua import parent_tree_nums, reachable_elements

# Operators that put something on the page (PDF 32000-1, 8.2): text, painted paths, shadings,
# XObjects and inline images. A path ended by `n` paints nothing.
DRAWING = frozenset(
    {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do"}
    | {"BI", "INLINE IMAGE"}  # pikepdf names an inline image so
)
HEADING = re.compile(r"^/H([1-6])$")


def _resolve(role_map, name: str) -> str:
    seen = set()
    while role_map is not None and name in role_map and name not in seen:
        seen.add(name)
        name = str(role_map[name])
    return name


def _walk(pdf):
    """Structure elements in reading order (depth first), each as (element, standard type)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    role_map = root.get("/RoleMap")
    kids = root.get("/K")
    stack = list(reversed(list(kids) if isinstance(kids, Array) else [kids])) if kids else []
    seen = set()
    while stack:
        item = stack.pop()
        if not isinstance(item, Dictionary) or item.get("/Type") in (Name.MCR, Name.OBJR):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        yield item, _resolve(role_map, str(item.get("/S", "")))
        children = item.get("/K")
        if children is not None:
            children = list(children) if isinstance(children, Array) else [children]
            stack.extend(reversed(children))


# --- the checks ----------------------------------------------------------------------------------


def check_content(pdf) -> list[str]:
    problems = []
    reached = reachable_elements(pdf)
    entries = parent_tree_nums(pdf)
    for number, page in enumerate(pdf.pages, start=1):
        key = page.obj.get("/StructParents")
        mapping = entries.get(int(key)) if key is not None else None
        stack: list[tuple[str, int | None]] = []
        loose = unreached = 0
        for instruction in pikepdf.parse_content_stream(page):
            operator = str(instruction.operator)
            operands = getattr(instruction, "operands", [])
            if operator in ("BDC", "BMC"):
                tag = str(operands[0])
                mcid = None
                if operator == "BDC" and isinstance(operands[1], Dictionary):
                    mcid = operands[1].get("/MCID")
                stack.append((tag, int(mcid) if mcid is not None else None))
            elif operator == "EMC":
                if stack:
                    stack.pop()
            elif operator in DRAWING:
                if any(tag == "/Artifact" for tag, _ in stack):
                    continue
                mcids = [mcid for _, mcid in stack if mcid is not None]
                if not mcids:
                    loose += 1
                    continue
                mcid = mcids[-1]
                element = None
                if isinstance(mapping, Array) and mcid < len(mapping):
                    element = mapping[mcid]
                if not isinstance(element, Dictionary) or element.objgen not in reached:
                    unreached += 1
        if loose:
            problems.append(
                f"content: page {number}: {loose} drawing operations outside marked content"
            )
        if unreached:
            problems.append(
                f"content: page {number}: {unreached} drawing operations in marked content "
                "that the structure tree does not reach and that is no artifact"
            )
    return problems


def check_pagination(pdf) -> list[str]:
    """Artifacts that stand for page furniture say so: /Artifact with a /Type."""
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        untyped = 0
        for instruction in pikepdf.parse_content_stream(page, "BDC"):
            tag, properties = instruction.operands[0], instruction.operands[1]
            typed = properties.get("/Type") if isinstance(properties, Dictionary) else None
            if str(tag) == "/Artifact" and typed not in (Name.Pagination, Name.Layout, Name.Page):
                untyped += 1
        if untyped:
            problems.append(f"pagination: page {number}: {untyped} artifacts of unknown type")
    return problems


def check_headings(pdf) -> list[str]:
    problems, previous = [], 0
    for _element, kind in _walk(pdf):
        found = HEADING.match(kind)
        if not found:
            continue
        level = int(found[1])
        if level > previous + 1:
            problems.append(f"headings: H{level} follows H{previous or '–'} (a level skipped)")
        previous = level
    return problems


def check_figures(pdf) -> list[str]:
    problems = []
    for count, (element, _kind) in enumerate(
        (item for item in _walk(pdf) if item[1] == "/Figure"), start=1
    ):
        alt = str(element.get("/Alt", "")).strip()
        if not alt:
            problems.append(f"figures: figure {count} has no Alt text")
        elif not any(char.isdigit() for char in alt):
            problems.append(f"figures: figure {count}'s Alt carries no numbers: {alt[:80]!r}")
    return problems


def check_tables(pdf) -> list[str]:
    problems, tables = [], 0
    elements = list(_walk(pdf))
    children: dict[tuple[int, int], list] = {}
    for element, kind in elements:
        parent = element.get("/P")
        if isinstance(parent, Dictionary) and parent.is_indirect:
            children.setdefault(parent.objgen, []).append((element, kind))
    for element, kind in elements:
        if kind != "/Table":
            continue
        tables += 1
        stack, headers = list(children.get(element.objgen, [])), 0
        while stack and not headers:
            child, child_kind = stack.pop()
            if child_kind == "/TH":
                headers += 1
            elif child_kind != "/Table":
                stack.extend(children.get(child.objgen, []))
        if not headers:
            problems.append(f"tables: table {tables} has no TH cell")
    return problems


def _xmp(pdf) -> dict:
    meta = pdf.open_metadata()
    return {key: meta.get(key) for key in meta}


def check_document(pdf) -> list[str]:
    problems = []
    if not str(pdf.Root.get("/Lang", "")).strip():
        problems.append("document: no Lang in the catalog")
    if not str(pdf.docinfo.get("/Title", "")).strip():
        problems.append("document: no Title in the document information")
    xmp_title = str(pdf.open_metadata().get("dc:title", "") or "").strip()
    if not xmp_title:
        problems.append("document: no dc:title in the XMP metadata")
    elif xmp_title != str(pdf.docinfo.get("/Title", "")).strip():
        problems.append("document: the Title and the XMP dc:title differ")
    preferences = pdf.Root.get("/ViewerPreferences")
    if preferences is None or preferences.get("/DisplayDocTitle") is not True:
        problems.append("document: ViewerPreferences DisplayDocTitle is not true")
    mark_info = pdf.Root.get("/MarkInfo")
    if mark_info is None or mark_info.get("/Marked") is not True:
        problems.append("document: MarkInfo Marked is not true")
    if "/StructTreeRoot" not in pdf.Root:
        problems.append("document: no structure tree (StructTreeRoot)")
    return problems


def _fonts(resources, seen):
    if not isinstance(resources, Dictionary):
        return
    for name, font in (resources.get("/Font") or {}).items():
        if font.is_indirect and font.objgen in seen:
            continue
        if font.is_indirect:
            seen.add(font.objgen)
        yield name, font
        if font.get("/Subtype") == Name.Type3:
            yield from _fonts(font.get("/Resources"), seen)
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.is_indirect and xobject.objgen in seen:
            continue
        if xobject.is_indirect:
            seen.add(xobject.objgen)
        if xobject.get("/Subtype") == Name.Form:
            yield from _fonts(xobject.get("/Resources"), seen)


def check_fonts(pdf) -> list[str]:
    problems, seen, missing = [], set(), set()
    for page in pdf.pages:
        for name, font in _fonts(page.obj.get("/Resources"), seen):
            if font.get("/Subtype") == Name.Type3:
                continue  # glyphs drawn in the file itself
            descendants = font.get("/DescendantFonts")
            described = descendants[0] if descendants else font
            descriptor = described.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            if not embedded:
                missing.add(str(font.get("/BaseFont", name)))
    for name in sorted(missing):
        problems.append(f"fonts: {name} is not embedded")
    return problems


def check_identification(pdf) -> list[str]:
    problems = []
    meta = pdf.open_metadata()
    ua_part, a_part = meta.get("pdfuaid:part"), meta.get("pdfaid:part")
    conformance = meta.get("pdfaid:conformance")
    if ua_part is None:
        problems.append("identification: no pdfuaid:part in the XMP metadata")
    elif str(ua_part) != "1":
        problems.append(f"identification: pdfuaid:part is {ua_part}, not 1")
    elif "/StructTreeRoot" not in pdf.Root:
        problems.append("identification: pdfuaid:part 1 but the file is not tagged")
    if a_part is None:
        problems.append("identification: no pdfaid:part in the XMP metadata")
    else:
        if str(a_part) != "2":
            problems.append(f"identification: pdfaid:part is {a_part}, not 2")
        if str(conformance or "").upper() not in ("A", "B", "U"):
            problems.append(f"identification: pdfaid:conformance is {conformance!r}")
        if str(pdf.pdf_version) > "1.7":
            problems.append(f"identification: PDF {pdf.pdf_version} is no PDF/A-2 file")
        intents = [
            intent
            for intent in pdf.Root.get("/OutputIntents", [])
            if intent.get("/S") == Name.GTS_PDFA1 and "/DestOutputProfile" in intent
        ]
        if not intents:
            problems.append("identification: no PDF/A OutputIntent with an ICC profile")
        if str(conformance or "").upper() == "A" and "/StructTreeRoot" not in pdf.Root:
            problems.append("identification: pdfaid:conformance A but the file is not tagged")
    return problems


CHECKS = {
    "content": check_content,
    "pagination": check_pagination,
    "headings": check_headings,
    "figures": check_figures,
    "tables": check_tables,
    "document": check_document,
    "fonts": check_fonts,
    "identification": check_identification,
}


def check(pdf_bytes: bytes, *, only: set[str] | None = None) -> list[str]:
    """Every problem the checks find in the PDF; empty when it passes."""
    problems = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for name, function in CHECKS.items():
            if only is None or name in only:
                problems.extend(function(pdf))
    return problems
