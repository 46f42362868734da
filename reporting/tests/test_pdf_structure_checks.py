"""The structure check (reporting.pdfcheck) catches each fault it looks for.

A small document printed like the reports (WeasyPrint, tagged, PDF/A-2u, reporting.pdfua)
passes every check; each test then breaks one thing in a copy, as a faulty renderer or a
careless join would, and the check that looks for it must report it. So no check can pass
because it found nothing to look at.
"""

import io
import re

import pikepdf
import pytest
import weasyprint
from pikepdf import Array, Name

from reporting import pdfcheck, pdfua

pytestmark = pytest.mark.pdf

HTML = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">
<title>Provrapport 2026</title><meta name="description" content="En rapport att pröva på">
<style>
@page { size: A4; margin: 20mm; font-family: "DejaVu Sans";
  @top-left { content: "Provrapport"; }
  @bottom-right { content: "Sida " counter(page) " av " counter(pages); } }
body { font-family: "DejaVu Sans"; }
</style></head><body>
<h1>Provrapport</h1>
<h2>Sammanfattning</h2>
<p>Tre mål av fyra är uppfyllda.</p>
<figure><svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" role="img">
<title>Måluppfyllelse</title><desc>Uppfyllt: 3, Ej uppfyllt: 1</desc>
<rect x="0" y="0" width="150" height="20" fill="#1b7f3b"/></svg></figure>
<table><thead><tr><th>Mål</th><th>Bedömning</th></tr></thead>
<tbody><tr><td>Mål 1</td><td>Uppfyllt</td></tr></tbody></table>
</body></html>"""


@pytest.fixture(scope="module")
def good() -> bytes:
    pdf = weasyprint.HTML(string=HTML).write_pdf(
        pdf_tags=True, pdf_variant=pdfua.WEASYPRINT_VARIANT
    )
    return pdfua.finish(pdf, title="Provrapport 2026", subject="Prov", html=HTML)


def broken(pdf_bytes: bytes, change) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def elements(pdf, kind: str):
    return [e for e in pdfua._elements_in_order(pdf) if e.get("/S") == Name(kind)]


def problems(pdf_bytes: bytes, check: str) -> list[str]:
    found = pdfcheck.check(pdf_bytes, only={check})
    assert all(problem.startswith(f"{check}:") for problem in found), found
    return found


def test_the_document_printed_like_a_report_passes_every_check(good):
    assert pdfcheck.check(good) == []


# --- content: marked and reached, or an artifact ----------------------------------------------


def test_drawing_outside_marked_content_is_caught(good):
    def paint_loose(pdf):
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(b"0 0 10 10 re f"), prepend=False)

    assert problems(good, "content") == []
    assert "outside marked content" in problems(broken(good, paint_loose), "content")[0]


def test_marked_content_the_tree_does_not_reach_is_caught(good):
    def drop_paragraph(pdf):
        paragraph = elements(pdf, "/P")[0]
        parent = paragraph.P
        parent.K = Array([kid for kid in parent.K if kid.objgen != paragraph.objgen])

    found = problems(broken(good, drop_paragraph), "content")
    assert found and "does not reach" in found[0]


def test_page_margins_left_as_weasyprint_marks_them_are_caught():
    """Without reporting.pdfua, the running header and "Sida X av Y" are marked content
    outside the tree (WeasyPrint issue #1836): the check sees it."""
    raw = weasyprint.HTML(string=HTML).write_pdf(
        pdf_tags=True, pdf_variant=pdfua.WEASYPRINT_VARIANT
    )
    found = problems(raw, "content")
    assert found and "does not reach" in found[0]
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        assert pdfua.mark_pagination(pdf) == 2  # the header and the page number
        out = io.BytesIO()
        pdf.save(out)
    assert problems(out.getvalue(), "content") == []


def test_an_artifact_of_no_known_type_is_caught(good):
    def untype(pdf):
        contents = pdf.pages[0].obj.Contents
        for stream in list(contents) if isinstance(contents, Array) else [contents]:
            stream.write(stream.read_bytes().replace(b"/Type /Pagination", b"/Kind /Unknown"))

    assert problems(good, "pagination") == []
    assert "unknown type" in problems(broken(good, untype), "pagination")[0]


# --- headings, figures, tables -----------------------------------------------------------------


def test_a_skipped_heading_level_is_caught(good):
    def h2_to_h3(pdf):
        elements(pdf, "/H2")[0].S = Name.H3

    assert problems(broken(good, h2_to_h3), "headings") == [
        "headings: H3 follows H1 (a level skipped)"
    ]


def test_a_document_that_starts_below_h1_is_caught(good):
    def h1_to_h2(pdf):
        elements(pdf, "/H1")[0].S = Name.H2

    assert problems(broken(good, h1_to_h2), "headings")


def test_a_figure_without_alt_is_caught(good):
    def drop_alt(pdf):
        del elements(pdf, "/Figure")[0].Alt

    assert "has no Alt" in problems(broken(good, drop_alt), "figures")[0]


def test_a_chart_whose_alt_carries_no_numbers_is_caught(good):
    def title_only(pdf):
        elements(pdf, "/Figure")[0].Alt = pikepdf.String("Måluppfyllelse")

    assert "carries no numbers" in problems(broken(good, title_only), "figures")[0]


def test_the_charts_alt_carries_its_data(good):
    with pikepdf.open(io.BytesIO(good)) as pdf:
        alt = str(elements(pdf, "/Figure")[0].Alt)
    assert alt == "Måluppfyllelse. Uppfyllt: 3, Ej uppfyllt: 1"


def test_a_table_without_header_cells_is_caught(good):
    def th_to_td(pdf):
        for cell in elements(pdf, "/TH"):
            cell.S = Name.TD

    assert problems(broken(good, th_to_td), "tables") == ["tables: table 1 has no TH cell"]


# --- the document, fonts, identification -------------------------------------------------------


def test_missing_language_title_and_display_title_are_caught(good):
    def strip(pdf):
        pdf.Root.Lang = pikepdf.String("")
        pdf.Root.ViewerPreferences.DisplayDocTitle = False
        del pdf.Root.MarkInfo
        del pdf.docinfo.Title

    def other_title(pdf):
        pdf.docinfo.Title = pikepdf.String("En annan titel")

    assert "differ" in problems(broken(good, other_title), "document")[0]
    found = "\n".join(problems(broken(good, strip), "document"))
    assert "Lang" in found and "DisplayDocTitle" in found
    assert "MarkInfo" in found and "no Title" in found


def test_a_font_not_embedded_is_caught(good):
    def unembed(pdf):
        for font in pdf.pages[0].obj.Resources.Font.values():
            descriptor = font.DescendantFonts[0].FontDescriptor
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    del descriptor[key]

    found = problems(broken(good, unembed), "fonts")
    assert found and all("is not embedded" in problem for problem in found)


def test_missing_or_false_identification_is_caught(good):
    def no_ua(pdf):
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            del meta["pdfuaid:part"]

    def wrong_a(pdf):
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "3"

    def no_intent(pdf):
        del pdf.Root.OutputIntents

    def untagged(pdf):
        del pdf.Root.StructTreeRoot

    assert problems(good, "identification") == []
    assert "no pdfuaid:part" in problems(broken(good, no_ua), "identification")[0]
    assert "pdfaid:part is 3" in problems(broken(good, wrong_a), "identification")[0]
    assert "OutputIntent" in problems(broken(good, no_intent), "identification")[0]
    assert "not tagged" in problems(broken(good, untagged), "identification")[0]


def test_the_identification_is_in_the_files_xmp(good):
    with pikepdf.open(io.BytesIO(good)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "U"
        assert meta["dc:title"] == "Provrapport 2026"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
    assert re.search(rb"/Artifact <</Type /Pagination>> BDC", _contents(good))


def _contents(pdf_bytes: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        contents = pdf.pages[0].obj.Contents
        streams = list(contents) if isinstance(contents, Array) else [contents]
        return b"".join(stream.read_bytes() for stream in streams)
