"""Every report kind passes the project's structure check (reporting.pdfcheck): PDF/UA-1 and
PDF/A-2u essentials on the committee report, the municipality report printed as one document
and in parts (as the library makes it), and a draft (UTKAST).

Beside the check, what a reader of the file notices: the running header, the footer line,
"Sida X av Y" and the watermark are Pagination artifacts, not text in the structure tree, and
the joined report's tree reaches every page.
"""

import io
import re

import pikepdf
import pytest

from goals.models import OrgUnit, ReportingOccasion
from reporting import pdfcheck, pdfua, render, services
from reporting.models import GeneratedReport
from reporting.tests.test_reports import _draft_with_content

pytestmark = [pytest.mark.django_db, pytest.mark.pdf]


def annual_2025():
    return ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")


@pytest.fixture(scope="module")
def single_reports(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        root = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
        return {
            "committee": render.render_report(
                kind="committee", occasion=annual_2025(), org_unit=OrgUnit.objects.get(code="KS")
            ).pdf,
            "municipality": render.render_report(
                kind="municipality", occasion=annual_2025(), org_unit=root
            ).pdf,
            "draft": _draft_with_content().pdf,
        }


@pytest.fixture
def parted(django_capture_on_commit_callbacks, users, settings, tmp_path):
    """The municipality report as the library makes it: in parts, joined."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(
            kind="municipality", occasion=annual_2025(), org_unit=None, user=users["klk"]
        )
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.DONE, report.error
    assert report.parts_plan and report.parts_plan.get("parts"), "not made in parts"
    with open(report.file.path, "rb") as handle:
        return handle.read()


def artifact_texts(page) -> tuple[str, str]:
    """(text drawn in Pagination artifacts, text drawn elsewhere) of a page, as glyph hex."""
    artifacts, content, stack = [], [], []
    for instruction in pikepdf.parse_content_stream(page):
        operator = str(instruction.operator)
        if operator in ("BDC", "BMC"):
            operands = instruction.operands
            kind = str(operands[0])
            if kind == "/Artifact" and operator == "BDC":
                kind += str(operands[1].get("/Type", ""))
            stack.append(kind)
        elif operator == "EMC" and stack:
            stack.pop()
        elif operator == "Do" and "/Artifact/Pagination" in stack:
            artifacts.append("form")
        elif operator in ("TJ", "Tj"):
            target = artifacts if "/Artifact/Pagination" in stack else content
            target.append(operator)
    return artifacts, content


@pytest.mark.parametrize("kind", ["committee", "municipality", "draft"])
def test_each_report_printed_as_one_document_passes_the_structure_check(single_reports, kind):
    assert pdfcheck.check(single_reports[kind]) == []


def test_the_parted_municipality_report_passes_the_structure_check(parted, single_reports):
    assert pdfcheck.check(parted) == []
    with (
        pikepdf.open(io.BytesIO(parted)) as joined,
        pikepdf.open(io.BytesIO(single_reports["municipality"])) as single,
    ):
        assert len(joined.pages) == len(single.pages)
        # One Document element; every page carries content the tree reaches.
        assert len(list(joined.Root.StructTreeRoot.K)) == 1
        keys = [int(page.obj.StructParents) for page in joined.pages]
        assert len(set(keys)) == len(keys)
        assert int(joined.Root.StructTreeRoot.ParentTreeNextKey) > max(keys)
        reached = pdfua.reachable_elements(joined)
        pages_reached = {
            element.Pg.objgen
            for element in pdfua._elements_in_order(joined)
            if "/Pg" in element and element.objgen in reached
        }
        assert pages_reached == {page.obj.objgen for page in joined.pages}

        # The same headings in the same order as the single render.
        def headings(pdf):
            return [str(e.S) for e in pdfua._elements_in_order(pdf) if re.match(r"/H\d", str(e.S))]

        assert headings(joined) == headings(single)
        assert joined.open_metadata()["dc:title"] == single.open_metadata()["dc:title"]
        assert str(joined.docinfo.Subject)
        # Innehåll's links to other parts are tagged: each annotation sits in the Link
        # element of its entry, beside the entry's text.
        added = 0
        for element in pdfua._elements_in_order(joined):
            if element.get("/S") != "/Link":
                continue
            kids = pdfua._kids(element)
            references = [
                k for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
            ]
            for reference in references:
                if str(reference.Obj.get("/Contents", "")).startswith("Gå till sidan"):
                    added += 1
                    assert len(kids) > len(references), "a link annotation without its text"
                    assert int(reference.Obj.StructParent) in pdfua.parent_tree_nums(joined)
        assert added >= 8  # seven committees and the appendix
        # The document information agrees with the XMP (PDF/A).
        meta = joined.open_metadata()
        assert str(joined.docinfo.Producer) == meta["pdf:Producer"] == "Styrsystem"
        assert str(joined.docinfo.Author) == "Danderyds kommun"


@pytest.mark.parametrize("kind", ["committee", "draft"])
def test_headers_footers_and_page_numbers_are_pagination_artifacts(single_reports, kind):
    with pikepdf.open(io.BytesIO(single_reports[kind])) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            artifacts, _content = artifact_texts(page)
            # Every page: the footer line and "Sida X av Y" (and the running header after
            # the cover; the watermark and "UTKAST" on a draft).
            expected = 2 + (number > 1) * 2 + (kind == "draft") * 2
            assert len(artifacts) >= expected, (number, artifacts)


def test_the_joined_reports_stamps_are_pagination_artifacts(parted):
    with pikepdf.open(io.BytesIO(parted)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            artifacts, _content = artifact_texts(page)
            assert artifacts.count("form") == 2, number  # footer line and page number
            if number > 1:
                assert len(artifacts) >= 4, number  # and the running header's two texts


def test_the_draft_watermark_is_on_every_page_and_outside_the_text(single_reports):
    with pikepdf.open(io.BytesIO(single_reports["draft"])) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            contents = page.obj.Contents
            streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
            data = b"".join(stream.read_bytes() for stream in streams)
            # The watermark's 84 pt text (112 px), inside a Pagination artifact.
            watermark = re.search(
                rb"/Artifact <</Type /Pagination>>\s*BDC(?:(?!EMC).)*? 112 Tf", data, re.S
            )
            assert watermark, f"no watermark as an artifact on page {number}"
