"""Files as users have them: CSV from Swedish Excel, broken files, files too large to read."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats.base_formats import XLSX

from goals import spreadsheets
from goals.models import DirectionGoal, Measurement
from goals.resources import MAX_ROWS, RESOURCES
from goals.spreadsheets import SpreadsheetError, read_csv, read_xlsx

pytestmark = pytest.mark.django_db

MEASUREMENT_HEADER = ["indikator", "år", "tillfälle", "utfall", "kommentar", "källa"]
GOAL_HEADER = (
    "kod,nämnd,strategiområde,inriktningsmål,beskrivning,övergripande mål,strategier,"
    "gäller från,gäller till,arkiverat"
)


def _post(client, kind: str, name: str, content: bytes):
    return client.post(
        reverse("data_import"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


def _new_measurements():
    return Measurement.objects.filter(
        indicator__code__in=["UN-HK-1-1", "UN-HK-1-2"],
        occasion__plan_year__year=2026,
        occasion__name="Delårsrapport",
    )


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("cp1252", ";"), ("utf-8-sig", ";"), ("utf-8", ";"), ("utf-8-sig", "\t")],
)
def test_csv_from_swedish_excel_is_previewed_and_imported(client_for, encoding, delimiter):
    client = client_for("namnd")
    lines = [
        delimiter.join(MEASUREMENT_HEADER),
        # A decimal comma as Excel writes it (bare) and quoted; a comma in a text value.
        delimiter.join(
            ["UN-HK-1-1", "2026", "Delårsrapport", "91,5", "Mätt på våren, före höstterminen", ""]
        ),
        delimiter.join(["UN-HK-1-2", "2026", "Delårsrapport", '"96,25"', "Enkät – åk 9", ""]),
    ]
    content = ("\r\n".join(lines) + "\r\n").encode(encoding)
    if encoding == "cp1252":
        assert "å".encode() not in content  # really not UTF-8
    preview = _post(client, "utfall", "utfall.csv", content)
    html = preview.content.decode()
    assert preview.status_code == 200, html
    assert "91,5" in html and "96,25" in html
    assert "Mätt på våren, före höstterminen" in html and "Enkät – åk 9" in html
    assert "Bekräfta och importera" in html
    assert not _new_measurements().exists()  # nothing before confirming

    token = client.session["import_upload"]["token"]
    done = client.post(reverse("data_import"), {"action": "confirm", "token": token})
    assert done.status_code == 302
    written = {m.indicator.code: (m.value, m.comment) for m in _new_measurements()}
    assert written == {
        "UN-HK-1-1": (Decimal("91.5"), "Mätt på våren, före höstterminen"),
        "UN-HK-1-2": (Decimal("96.25"), "Enkät – åk 9"),
    }


def test_a_semicolon_file_with_excels_sep_line_is_read():
    content = "sep=;\r\nkod;namn\r\nA;Åsa, Öberg\r\n".encode("cp1252")
    dataset = read_csv(content, name="f.csv", max_rows=MAX_ROWS)
    assert dataset.headers == ["kod", "namn"] and dataset[0] == ("A", "Åsa, Öberg")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            GOAL_HEADER.encode() + b'\nUN-NY-1,UN,1,"Inget slut',
            "ett citattecken (”) avslutas aldrig",
        ),
        (b"kod;namn\nA;\x81\x8d\x90\n", "teckenkodningen känns inte igen"),
        (b"PK\x03\x04" + b"\x00" * 40, "filen är en Excel-arbetsbok"),
        (b"\x00\x01\x02 kod", "ingen CSV-fil"),
        (b"kod,namn\nA,B,C\n", "rad 2 har 3 värden men rubrikraden har 2"),
        (b"", "filen är tom"),
    ],
)
def test_a_csv_that_cannot_be_read_says_why_and_how_to_save_it(client_for, content, reason):
    before = DirectionGoal.objects.count()
    response = _post(client_for("namnd"), "mal", "trasig.csv", content)
    html = response.content.decode()
    assert response.status_code == 400
    assert "trasig.csv" in html and reason in html
    if reason != "filen är en Excel-arbetsbok":
        assert "Spara filen i Excel som ”CSV UTF-8 (kommaavgränsad)” eller som .xlsx" in html
    assert DirectionGoal.objects.count() == before
    assert "import_upload" not in response.wsgi_request.session


def test_a_csv_over_the_row_limit_is_refused(client_for):
    row = "UN-NY-1,UN,1,Mål,,3,1,2026,2027,nej"
    content = "\n".join([GOAL_HEADER] + [row] * (MAX_ROWS + 1)).encode()
    response = _post(client_for("namnd"), "mal", "stor.csv", content)
    assert response.status_code == 400
    assert f"Filen har fler än {MAX_ROWS} rader; högst {MAX_ROWS} åt gången" in (
        response.content.decode()
    )
    assert not DirectionGoal.objects.filter(code="UN-NY-1").exists()


def test_the_row_limit_counts_rows_not_lines():
    """Empty lines are skipped (as tablib does) and a line break inside quotes is one row."""
    content = b'kod,namn\n\nA,"rad ett\nrad tv\xc3\xa5"\n\n'
    dataset = read_csv(content, name="f.csv", max_rows=1)
    assert len(dataset) == 1 and dataset[0] == ("A", "rad ett\nrad två")


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_over_the_row_limit_is_refused_and_nothing_is_written(client_for):
    header = GOAL_HEADER.split(",")
    row = ["UN-NY-1", "UN", 1, "Mål", None, 3, 1, 2026, 2027, "nej"]
    content = _xlsx([header] + [row] * (MAX_ROWS + 1))
    response = _post(client_for("namnd"), "mal", "stor.xlsx", content)
    html = response.content.decode()
    assert response.status_code == 400
    assert f"Filen har fler än {MAX_ROWS} rader; högst {MAX_ROWS} åt gången" in html
    assert "Dela upp stor.xlsx" in html
    assert not DirectionGoal.objects.filter(code="UN-NY-1").exists()
    assert "import_upload" not in response.wsgi_request.session


SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _package(sheet_parts, *, prefix=b"", before_data=b"") -> bytes:
    """A minimal .xlsx whose sheet XML is written in parts, compressed as hard as zip can."""
    small = _xlsx([["kod"], ["A"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(small)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for member in source.infolist():
            if member.filename == "xl/worksheets/sheet1.xml":
                with target.open(member.filename, "w") as sheet:
                    sheet.write(prefix + SHEET_START + before_data + b"<sheetData>")
                    for part in sheet_parts:
                        sheet.write(part)
                    sheet.write(b"</sheetData></worksheet>")
            else:
                target.writestr(member.filename, source.read(member))
    return out.getvalue()


def _repeat(unit: bytes, count: int, per: int = 10_000):
    for start in range(0, count, per):
        yield unit * min(per, count - start)


def _sheet_size(content: bytes) -> int:
    return zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml").file_size


@pytest.mark.parametrize(
    ("build", "message"),
    [
        # 11 MB of tiny rows in about 20 kB: more XML than 5 000 rows can need.
        (
            lambda: _package(_repeat(b"<row><c><v>1</v></c></row>", 420_000)),
            "ett kalkylblad är 10,9 MB okomprimerat",
        ),
        # 2.5 MB of empty rows: under the size limit, but more elements than rows can need.
        (lambda: _package(_repeat(b"<row/>", 420_000)), "XML-element"),
        # A DTD could define entities that multiply the markup.
        (
            lambda: _package(
                [b"<row/>"],
                prefix=b'<!DOCTYPE worksheet [<!ENTITY r "<row/><row/>">]>',
            ),
            "innehåller en DTD",
        ),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "lösenordsskyddad"),
        (lambda: b"PK\x03\x04 inget arkiv", "inte en Excel-arbetsbok"),
    ],
)
def test_an_implausible_xlsx_is_refused_before_any_xml_is_parsed(
    client_for, monkeypatch, build, message
):
    content = build()
    assert len(content) < 100_000

    def must_not_parse(*args, **kwargs):
        raise AssertionError("openpyxl should not have been asked to read this file")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_parse)
    before = DirectionGoal.objects.count()
    response = _post(client_for("namnd"), "mal", "bomb.xlsx", content)
    html = response.content.decode()
    assert response.status_code == 400
    assert "bomb.xlsx" in html and message in html
    assert DirectionGoal.objects.count() == before


def test_the_size_limits_follow_the_row_limit(client_for, monkeypatch):
    """With a lower row limit a smaller sheet is already too large."""
    from goals.views import imports as import_views

    content = _package(_repeat(b"<row><c><v>1</v></c></row>", 20_000))
    assert _sheet_size(content) > spreadsheets.limits(100)["sheet_bytes"]
    monkeypatch.setattr(import_views, "MAX_ROWS", 100)
    response = _post(client_for("namnd"), "mal", "blad.xlsx", content)
    assert response.status_code == 400
    assert "högst 0,5 MB tas emot (det räcker till 100 rader)" in response.content.decode()
    assert "Dela upp filen i flera med högst 100 rader" in response.content.decode()


def test_a_forged_dimension_does_not_widen_the_rows():
    """<dimension ref="A1:XFD1048576"/> would pad every row to 16 384 cells."""
    header = b'<row r="1"><c r="A1" t="inlineStr"><is><t>kod</t></is></c></row>'
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c></row>'
    content = _package([header, row], before_data=b'<dimension ref="A1:XFD1048576"/>')
    dataset = read_xlsx(content, name="f.xlsx", max_rows=MAX_ROWS)
    assert dataset.headers == ["kod"] and list(dataset) == [("A",)]


def test_a_broken_xlsx_says_so_in_swedish():
    content = _package([b"<row><c><v>1</v></c>"])  # the row is never closed
    with pytest.raises(SpreadsheetError, match="f.xlsx kunde inte läsas som XLSX: filen är skadad"):
        read_xlsx(content, name="f.xlsx", max_rows=MAX_ROWS)


@pytest.mark.parametrize("kind", list(RESOURCES))
def test_exports_read_back_as_django_import_export_reads_them(client_for, kind):
    """The streaming reader gives the same headers and values as the XLSX format of
    django-import-export (and the CSV reader the same as tablib's)."""
    client = client_for("admin")
    xlsx = client.get(reverse("data_export", args=[kind, "xlsx"])).content
    ours = read_xlsx(xlsx, name="f.xlsx", max_rows=MAX_ROWS)
    theirs = XLSX().create_dataset(xlsx)
    assert ours.headers == theirs.headers and len(ours) > 0
    assert list(ours.dict) == list(theirs.dict)
    csv = client.get(reverse("data_export", args=[kind, "csv"])).content
    ours_csv = read_csv(csv, name="f.csv", max_rows=MAX_ROWS)
    theirs_csv = tablib.Dataset().load(csv.decode("utf-8-sig"), format="csv")
    assert ours_csv.headers == theirs_csv.headers
    assert list(ours_csv.dict) == list(theirs_csv.dict)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_unchanged_export_previews_as_unchanged(client_for, fmt):
    client = client_for("namnd")
    content = client.get(reverse("data_export", args=["utfall", fmt])).content
    response = _post(client, "utfall", f"utfall.{fmt}", content)
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "Rad 1," not in html  # no row errors
    rows = response.context["rows"]
    assert rows and {r["kind"] for r in rows} == {"skip"}


def test_a_huge_unknown_header_is_shortened_in_the_message(client_for):
    header = "kod," + "x" * 100_000
    response = _post(client_for("namnd"), "mal", "bred.csv", f"{header}\nA,B\n".encode())
    html = response.content.decode()
    assert response.status_code == 400
    assert "Okänd kolumn ”" + "x" * 80 + "…”" in html and "x" * 81 not in html
