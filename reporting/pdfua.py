"""The reports as PDF/UA-1 and PDF/A-2u: pagination artifacts, identification, one structure tree.

    pdf = finish(weasyprint_pdf, title=…, subject=…)    # a document printed in one run
    part = prepare_part(weasyprint_pdf, html)            # each part, on the workers
    joined, front_elements = join_tagged([front, *parts])  # one document, one tree
    identify(joined, title=…); save(joined)              # after stamping

WeasyPrint (pdf_variant "pdf/a-2u", pdf_tags) writes the structure tree, the OutputIntent
(sRGB) and XMP with pdfaid. What it leaves to us (WeasyPrint issue #1836 and the parted
render):

* Page-margin content (running header, footer line, "Sida X av Y", the UTKAST watermark) is
  marked content whose structure elements WeasyPrint builds but leaves out of the tree: an
  MCID nothing in the tree reaches. mark_pagination() turns every such sequence into
  `/Artifact <</Type /Pagination>> BDC … EMC` and takes it out of the ParentTree.
* XMP pdfuaid:part 1 beside pdfaid:part 2 / conformance U, dc:title and dc:description,
  DisplayDocTitle, MarkInfo, Lang (identify()).
* A parted report joins several tagged documents: join_tagged() copies the pages with qpdf
  (a structure element's /Pg then points at the page copied before it), puts every part's
  elements under the first part's Document element, renumbers StructParents/StructParent
  and the ParentTree keys, and merges RoleMap/ClassMap/IDTree when a part has them. MCIDs
  are per page, so they stay.

Why PDF/A-2 level u and not a: level u guarantees that every glyph maps to Unicode (the text
can be searched, copied and read aloud from the archived file); level a adds a claim about the
structure tree that the PDF/UA-1 identification already makes, and that the project's own
structure check (reporting.pdfcheck) verifies. Claiming a would add nothing the check can
show beyond what PDF/UA-1 states.
"""

import io
import re
from html import unescape

import pikepdf
from pikepdf import Array, Dictionary, Name

PDFA_PART, PDFA_CONFORMANCE, PDFUA_PART = "2", "U", "1"
WEASYPRINT_VARIANT = "pdf/a-2u"  # XMP pdfaid, sRGB OutputIntent, /ID, printable annotations
PAGINATION = b"/Artifact <</Type /Pagination>> BDC"
_MARKED = re.compile(rb"/[^\s/<>\[\]()]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


# --- the structure tree ----------------------------------------------------------------------


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    if isinstance(kids, Array):
        return list(kids)
    return [kids]


def reachable_elements(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """objgen of every structure element the StructTreeRoot reaches."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return set()
    seen: set[tuple[int, int]] = set()
    stack = _kids(root)
    while stack:
        item = stack.pop()
        if not isinstance(item, Dictionary) or item.get("/Type") in (Name.MCR, Name.OBJR):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        stack.extend(_kids(item))
    return seen


def _reached_from_leaves(pdf: pikepdf.Pdf, entries: dict[int, object]) -> set[tuple[int, int]]:
    """The ParentTree's elements that the tree reaches, found by climbing /P (fast).

    Every element WeasyPrint (or join_tagged) puts below a top-level element is in its
    parent's /K; what is left out is a whole subtree hung from the Document element without
    being among its kids (the page-margin boxes). So an element is reached when its chain of
    parents meets one of the Document's kids, and not when it meets the Document itself.
    """
    root = pdf.Root.StructTreeRoot
    documents, top = set(), set()
    for document in _kids(root):
        if isinstance(document, Dictionary):
            documents.add(document.objgen)
            top.update(kid.objgen for kid in _kids(document) if isinstance(kid, Dictionary))
    known: dict[tuple[int, int], bool] = {}
    for mapping in entries.values():
        for element in mapping if isinstance(mapping, Array) else [mapping]:
            chain, current, reached = [], element, False
            while isinstance(current, Dictionary):
                objgen = current.objgen
                if objgen in known:
                    reached = known[objgen]
                    break
                if objgen in top:
                    reached = True
                    break
                if objgen in documents:
                    break
                chain.append(objgen)
                current = current.get("/P")
            known.update(dict.fromkeys(chain, reached))
    return {objgen for objgen, reached in known.items() if reached} | top


def parent_tree_nums(pdf: pikepdf.Pdf) -> dict[int, object]:
    """The ParentTree as {key: value}, leaves of a number tree in any depth."""
    root = pdf.Root.get("/StructTreeRoot")
    tree = root.get("/ParentTree") if root is not None else None
    return _number_tree_items(tree)


def _number_tree_items(tree) -> dict[int, object]:
    found: dict[int, object] = {}
    stack = [tree] if tree is not None else []
    while stack:
        node = stack.pop()
        nums = node.get("/Nums")
        if nums is not None:
            for i in range(0, len(nums) - 1, 2):
                found[int(nums[i])] = nums[i + 1]
        stack.extend(node.get("/Kids", []))
    return found


def _set_parent_tree(pdf: pikepdf.Pdf, entries: dict[int, object]) -> None:
    root = pdf.Root.StructTreeRoot
    nums = Array()
    for key in sorted(entries):
        nums.append(key)
        nums.append(entries[key])
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = (max(entries) + 1) if entries else 0


def _page_contents(page) -> list:
    contents = page.obj.get("/Contents")
    if contents is None:
        return []
    return list(contents) if isinstance(contents, Array) else [contents]


def mark_pagination(pdf: pikepdf.Pdf) -> int:
    """Marked content outside the structure tree becomes a Pagination artifact.

    Returns how many marked-content sequences were turned. The ParentTree entries of those
    MCIDs become null, so that nothing in the tree points at an artifact.
    """
    if "/StructTreeRoot" not in pdf.Root:
        return 0
    entries = parent_tree_nums(pdf)
    reached = _reached_from_leaves(pdf, entries)
    turned = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        if key is None or int(key) not in entries:
            continue
        mapping = entries[int(key)]
        if not isinstance(mapping, Array):
            continue
        orphans = set()
        for mcid, element in enumerate(mapping):
            if isinstance(element, Dictionary) and element.objgen not in reached:
                orphans.add(mcid)
        if not orphans:
            continue
        entries[int(key)] = Array(
            [None if i in orphans else element for i, element in enumerate(mapping)]
        )
        for stream in _page_contents(page):
            data = stream.read_bytes()

            def turn(match, orphans=orphans):
                nonlocal turned
                if int(match[1]) in orphans:
                    turned += 1
                    return PAGINATION
                return match[0]

            changed = _MARKED.sub(turn, data)
            if changed != data:
                stream.write(changed)
    _set_parent_tree(pdf, entries)
    return turned


# --- figures -----------------------------------------------------------------------------------

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.S)
_DESC = re.compile(r"<desc\b[^>]*>(.*?)</desc>", re.S)


def figure_texts(html: str) -> list[str]:
    """Each inline SVG's text alternative, in document order: its <title> and its <desc>.

    The charts name both in aria-labelledby, as a browser's screen reader reads them;
    WeasyPrint puts only the <title> in the Figure's Alt.
    """
    texts = []
    for svg in _SVG.findall(html):
        title, desc = _TITLE.search(svg), _DESC.search(svg)
        parts = [unescape(m[1]).strip() for m in (title, desc) if m is not None]
        parts = [p for p in parts if p]
        if len(parts) == 2 and parts[1] in parts[0]:
            parts = parts[:1]
        texts.append(". ".join(part.rstrip(".") for part in parts))
    return texts


def describe_figures(pdf: pikepdf.Pdf, texts: list[str]) -> None:
    """Give the Figures of a WeasyPrint document (SVGs, in order) their full text alternative."""
    if not texts:
        return
    figures = []
    for element in _elements_in_order(pdf):
        if element.get("/S") == Name.Figure:
            figures.append(element)
            if len(figures) > len(texts):
                return  # more Figures than SVGs: not only the charts
    if len(figures) != len(texts):
        return  # not the SVGs of this HTML: leave WeasyPrint's Alt
    for element, text in zip(figures, texts, strict=True):
        if text:
            element.Alt = pikepdf.String(text)


def prepare_part(pdf_bytes: bytes, html: str) -> bytes:
    """A part of a parted report before it is joined: Pagination artifacts, figures' Alt."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        mark_pagination(pdf)
        if "<svg" in html:
            describe_figures(pdf, figure_texts(html))
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _elements_in_order(pdf: pikepdf.Pdf, start: list | None = None):
    """Structure elements depth first, in reading order (from `start`, or the whole tree)."""
    root = pdf.Root.get("/StructTreeRoot")
    if start is None:
        start = _kids(root) if root is not None else []
    stack = list(reversed(start))
    while stack:
        item = stack.pop()
        if not isinstance(item, Dictionary) or item.get("/Type") in (Name.MCR, Name.OBJR):
            continue
        yield item
        stack.extend(reversed(_kids(item)))


# --- identification ----------------------------------------------------------------------------


def identify(
    pdf: pikepdf.Pdf,
    *,
    title: str,
    subject: str = "",
    lang: str = "sv",
    author: str = "",
    producer: str = "",
) -> None:
    """XMP (PDF/A-2u, PDF/UA-1, dc:title), DisplayDocTitle, MarkInfo, Lang, Title/Subject.

    The document information dictionary follows the XMP (PDF/A wants them to agree).
    """
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    if not str(pdf.Root.get("/Lang", "")):
        pdf.Root.Lang = pikepdf.String(lang)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["pdfaid:part"] = PDFA_PART
        meta["pdfaid:conformance"] = PDFA_CONFORMANCE
        meta["pdfuaid:part"] = PDFUA_PART
        meta["dc:title"] = title
        if subject:
            meta["dc:description"] = subject
        if author:
            meta["dc:creator"] = [author]
        if producer:
            meta["pdf:Producer"] = producer
    pdf.docinfo[Name.Title] = title
    if subject:
        pdf.docinfo[Name.Subject] = subject


def save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    # Object streams (allowed in PDF/A-2) pack the many small structure elements.
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()


def finish(pdf_bytes: bytes, *, title: str, subject: str = "", html: str = "") -> bytes:
    """A document WeasyPrint printed in one run, as PDF/UA-1 and PDF/A-2u."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        mark_pagination(pdf)
        if html:
            describe_figures(pdf, figure_texts(html))
        identify(pdf, title=title, subject=subject)
        return save(pdf)


# --- joining tagged documents ------------------------------------------------------------------


def _merge_dict(target: Dictionary, source: Dictionary) -> None:
    for key in source:
        if key not in target:
            target[key] = source[key]


def join_tagged(pdfs: list[bytes]) -> tuple[pikepdf.Pdf, list]:
    """The documents one after another with one structure tree (the first one's catalog).

    Every document must be tagged (WeasyPrint pdf_tags): its Document element's children go
    under the first document's Document element, in order. Returns the joined Pdf and the
    first document's top-level elements (where the front matter's links are).
    """
    out = pikepdf.open(io.BytesIO(pdfs[0]))
    root = out.Root.StructTreeRoot
    document = _kids(root)[0]
    first = _kids(document)
    entries = parent_tree_nums(out)
    next_key = max([int(root.get("/ParentTreeNextKey", 0)), *(k + 1 for k in entries)])
    outline_parts = [_outline_items(out, out, offset=0)]
    for data in pdfs[1:]:
        source = pikepdf.open(io.BytesIO(data))
        offset_pages = len(out.pages)
        out.pages.extend(source.pages)  # qpdf remembers each copied object: /Pg maps here
        source_root = source.Root.StructTreeRoot
        source_entries = parent_tree_nums(source)
        # Nothing copied may drag the part's root (and its whole ParentTree) along.
        for element in _kids(source_root):
            if "/P" in element:
                del element["/P"]
        shift = next_key
        for source_document in _kids(source_root):
            copied = out.copy_foreign(source_document)
            for kid in _kids(copied):
                if isinstance(kid, Dictionary) and kid.get("/Type") not in (Name.MCR, Name.OBJR):
                    kid.P = document
                document.K.append(kid)
        # One copy of the whole ParentTree (qpdf maps what it copied before): its values are
        # then the copied elements, without a call per element.
        if "/ParentTree" in source_root:
            copied_tree = out.copy_foreign(source_root.ParentTree)
            for key, value in _number_tree_items(copied_tree).items():
                entries[key + shift] = value
        for page in out.pages[offset_pages:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + shift
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + shift
        for name in ("/RoleMap", "/ClassMap"):
            if name in source_root:
                if name not in root:
                    root[name] = Dictionary()
                _merge_dict(root[name], out.copy_foreign(source_root[name]))
        if "/IDTree" in source_root:
            _merge_id_tree(out, root, source_root)
        if source_entries:
            next_key = shift + max(source_entries) + 1
        outline_parts.append(_outline_items(out, source, offset=offset_pages))
    _set_parent_tree(out, entries)
    out.Root.StructTreeRoot.ParentTreeNextKey = next_key
    _write_outline(out, outline_parts)
    return out, first


def _merge_id_tree(out: pikepdf.Pdf, root: Dictionary, source_root: Dictionary) -> None:
    names = Array()
    for tree in (root.get("/IDTree"), source_root["/IDTree"]):
        if tree is None:
            continue
        copy = tree if tree.is_owned_by(out) else out.copy_foreign(tree)
        stack = [copy]
        while stack:
            node = stack.pop()
            names.extend(node.get("/Names", []))
            stack.extend(node.get("/Kids", []))
    pairs = sorted(
        ((bytes(names[i]), names[i + 1]) for i in range(0, len(names) - 1, 2)),
        key=lambda p: p[0],
    )
    flat = Array()
    for key, value in pairs:
        flat.append(pikepdf.String(key))
        flat.append(value)
    root.IDTree = out.make_indirect(Dictionary(Names=flat))


def _outline_items(out: pikepdf.Pdf, source: pikepdf.Pdf, *, offset: int) -> list:
    """A document's bookmarks as (title, page index in `out`, top, children), depth first."""
    index = {page.obj.objgen: i for i, page in enumerate(source.pages)}
    outlines = source.Root.get("/Outlines")

    def walk(first):
        items, item = [], first
        while item is not None:
            destination = item.get("/Dest")
            page, top = None, None
            if isinstance(destination, Array) and len(destination):
                page = index.get(destination[0].objgen)
                if len(destination) >= 4 and destination[1] == Name.XYZ:
                    top = destination[3]
            title = str(item.get("/Title", ""))
            children = walk(item.get("/First")) if "/First" in item else []
            if page is not None:
                items.append((title, page + offset, top, children))
            item = item.get("/Next")
        return items

    return walk(outlines.get("/First")) if outlines is not None else []


def _write_outline(out: pikepdf.Pdf, parts: list[list]) -> None:
    def build(items):
        built = []
        for title, page, top, children in items:
            destination = Array([out.pages[page].obj, Name.XYZ, 0, top, 0])
            item = pikepdf.OutlineItem(title, destination=destination)
            item.children.extend(build(children))
            built.append(item)
        return built

    with out.open_outline() as outline:
        outline.root.clear()
        for items in parts:
            outline.root.extend(build(items))
