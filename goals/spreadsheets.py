"""Reading uploaded .xlsx and .csv files for the import, within bounded time and memory.

tablib's readers (what django-import-export's formats call) build the whole sheet before the
import can count its rows: a 600 kB .xlsx of two million tiny rows (174 MB of XML) took
100 s and 600 MB before it was refused. Here:

- an .xlsx is first checked as a zip archive, without parsing any XML: the members'
  uncompressed sizes (as the archive declares them; Python's zipfile never returns more than
  that) and the amount of XML markup must be plausible for ``max_rows`` rows, no member may
  declare a DTD (entities could multiply the markup) or be in another encoding than UTF-8;
  then openpyxl streams the first sheet (read-only) and stops after ``max_rows + 1`` rows;
- a .csv is decoded as UTF-8 (with or without BOM) or Windows-1252, which is what Swedish
  Excel saves; its separator (``;``, ``,`` or tab) is read from the header line, and the
  reading stops after ``max_rows + 1`` rows.

Both give a tablib Dataset with the first row as headers, as django-import-export's own
formats do: .xlsx cells as openpyxl gives them (``None`` when empty), .csv cells as text
(``""`` when empty). A file that cannot be read raises ``SpreadsheetError`` with a Swedish
message that names the file, says why and what to do.

Writing: a sheet is named after what it holds, within Excel's rules for sheet names; a CSV
writes the export's numbers as Swedish text (decimal comma), as Swedish Excel reads them.
"""

import codecs
import csv
import io
import re
import zipfile
import zlib
from decimal import Decimal

import tablib
from django.conf import settings

from core.formats import megabytes, whole_number

# What a real row needs: an exported row is 300–650 bytes of sheet XML (tablib writes up to
# 11 columns, text inline) with 21–59 "<"; saved again by Excel, with the text in the shared
# strings, an 11-column row is 46 "<" in the sheet plus 4 per new string. The limits allow
# 2 kB and 64 "<" per row (plus a fixed part for styles, theme and properties), and only the
# markup limit is tight, because it bounds the work: openpyxl spends 1–3 µs on every element
# of a sheet (it reads a sheet without <dimension> to the end just to size it, holding ~80
# bytes per row element) and ~8 µs on every shared string, whatever the row limit. So a
# 5 000-row file may have ~340 000 "<" (about a second of parsing, tens of MB) and any member
# ~10 MB, the whole package ~21 MB (one 10 MB string costs ~20–30 MB while it is parsed).
BYTES_PER_ROW = 2048
MARKUP_PER_ROW = 64
FIXED_BYTES = 256 * 1024
FIXED_MARKUP = 20_000
# A workbook from Excel has 10–20 members; many more is not a spreadsheet we can use.
MAX_MEMBERS = 500
# The import's widest format has 11 columns; a few columns of notes are harmless.
MAX_COLUMNS = 100
CHUNK = 1024 * 1024
XML_SUFFIXES = (".xml", ".rels")
FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx

SAVE_AS_XLSX = "Öppna filen i Excel, spara den som ”Excel-arbetsbok (.xlsx)” och försök igen."
SAVE_AS_CSV = (
    "Spara filen i Excel som ”CSV UTF-8 (kommaavgränsad)” eller som .xlsx och försök igen."
)


class SpreadsheetError(Exception):
    """The file cannot be imported; the message (Swedish) is meant for the user."""


def limits(max_rows: int) -> dict[str, int]:
    rows = max_rows + 1  # the header
    return {
        "sheet_bytes": rows * BYTES_PER_ROW + FIXED_BYTES,
        "total_bytes": 2 * (rows * BYTES_PER_ROW + FIXED_BYTES),
        "markup": rows * MARKUP_PER_ROW + FIXED_MARKUP,
    }


_mb = megabytes
_n = whole_number


def _ignore_blank_lines() -> bool:
    return getattr(settings, "IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES", False)


# --- .xlsx ---------------------------------------------------------------------------------


def check_xlsx_package(content: bytes, *, name: str, max_rows: int) -> None:
    """Refuse, before any XML is parsed, a file that is not a plausible .xlsx of at most
    ``max_rows`` rows. Reads the archive's directory and streams the XML members through
    zlib (a few hundred MB/s), never holding more than a chunk."""
    if content.startswith(OLE_MAGIC):
        raise SpreadsheetError(
            f"{name} kunde inte läsas som XLSX: filen är lösenordsskyddad eller sparad i det "
            "äldre formatet .xls. Ta bort lösenordet, spara filen som ”Excel-arbetsbok (.xlsx)” "
            "och försök igen."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise SpreadsheetError(
            f"{name} kunde inte läsas som XLSX: filen är inte en Excel-arbetsbok. {SAVE_AS_XLSX}"
        ) from None
    split = f"Dela upp filen i flera med högst {max_rows} rader var och importera dem en i taget."
    if len(members) > MAX_MEMBERS:
        raise SpreadsheetError(
            f"{name} kunde inte läsas som XLSX: arkivet har {len(members)} delar, en "
            f"Excel-arbetsbok har sällan fler än {MAX_MEMBERS}. {SAVE_AS_XLSX}"
        )
    bound = limits(max_rows)
    for member in members:
        # Any member: the sheet's rows may live elsewhere than xl/worksheets/, and the text of
        # the rows (sharedStrings.xml) fits in the same bound as the rows.
        if member.file_size > bound["sheet_bytes"]:
            part = (
                "ett kalkylblad"
                if member.filename.startswith("xl/worksheets/")
                else f"delen {member.filename}"
            )
            raise SpreadsheetError(
                f"{name} är för stor för att läsas: {part} är {_mb(member.file_size)} "
                f"okomprimerat, högst {_mb(bound['sheet_bytes'])} tas emot (det räcker till "
                f"{max_rows} rader). {split}"
            )
    total = sum(m.file_size for m in members)
    if total > bound["total_bytes"]:
        raise SpreadsheetError(
            f"{name} är för stor för att läsas: innehållet är {_mb(total)} okomprimerat, högst "
            f"{_mb(bound['total_bytes'])} tas emot. Ta bort andra blad, bilder och diagram ur "
            f"filen, eller {split[0].lower()}{split[1:]}"
        )
    markup = 0
    for member in members:
        if not member.filename.lower().endswith(XML_SUFFIXES):
            continue
        try:
            markup += _scan_xml(archive, member, name)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError):
            raise SpreadsheetError(
                f"{name} kunde inte läsas som XLSX: filen är skadad. {SAVE_AS_XLSX}"
            ) from None
        if markup > bound["markup"]:
            raise SpreadsheetError(
                f"{name} är för stor för att läsas: den har fler än {_n(bound['markup'])} "
                f"XML-element, mer än en tabell med {max_rows} rader behöver. {split}"
            )


def _scan_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> int:
    """The number of "<" in one XML member (an upper bound of its elements), refusing NUL
    bytes (UTF-16 or binary data, where the byte search below would see nothing) and DTDs."""
    count = 0
    tail = b""
    keep = max(len(m) for m in FORBIDDEN_MARKUP) - 1
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            if b"\x00" in chunk:
                raise SpreadsheetError(
                    f"{name} kunde inte läsas som XLSX: delen {member.filename} är inte "
                    f"UTF-8-kodad XML. {SAVE_AS_XLSX}"
                )
            window = tail + chunk
            if any(m in window for m in FORBIDDEN_MARKUP):
                raise SpreadsheetError(
                    f"{name} kunde inte läsas som XLSX: delen {member.filename} innehåller en "
                    f"DTD, vilket Excel-filer aldrig gör. {SAVE_AS_XLSX}"
                )
            count += chunk.count(b"<")
            tail = window[-keep:]
    return count


def read_xlsx(content: bytes, *, name: str, max_rows: int) -> tablib.Dataset:
    """The first (active) sheet: row 1 as headers, then at most ``max_rows + 1`` rows (one
    more than allowed, so that the caller can say the file has too many)."""
    import openpyxl

    check_xlsx_package(content, name=name, max_rows=max_rows)
    broken = f"{name} kunde inte läsas som XLSX: filen är skadad. {SAVE_AS_XLSX}"
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except SpreadsheetError:
        raise
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, ParseError…)
        raise SpreadsheetError(broken) from None
    try:
        sheet = workbook.active
        if sheet is None or not hasattr(sheet, "reset_dimensions"):
            raise SpreadsheetError(
                f"{name} kunde inte läsas som XLSX: det första bladet är inte ett kalkylblad "
                f"(kanske ett diagram). Lägg tabellen först i arbetsboken och försök igen."
            )
        # The <dimension> element is the writer's claim, not a bound: a forged A1:XFD1048576
        # would pad every row to 16 384 cells. The header row gives the width instead.
        sheet.reset_dimensions()
        try:
            return _xlsx_dataset(sheet, name=name, max_rows=max_rows)
        except SpreadsheetError:
            raise
        except Exception:
            raise SpreadsheetError(broken) from None
    finally:
        workbook.close()


def _xlsx_dataset(sheet, *, name: str, max_rows: int) -> tablib.Dataset:
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    while header and header[-1] is None:
        header = header[:-1]  # empty cells with only a style to the right of the headers
    if not header:
        raise SpreadsheetError(
            f"{name}: rad 1 är tom. Rad 1 ska ha kolumnrubrikerna, som i en exporterad fil."
        )
    if len(header) > MAX_COLUMNS:
        raise SpreadsheetError(
            f"{name}: rad 1 har {len(header)} kolumner; högst {MAX_COLUMNS} tas emot. Ta bort "
            "kolumnerna som inte hör till importen och försök igen."
        )
    width = len(header)
    dataset = tablib.Dataset()
    dataset.headers = list(header)
    ignore_blanks = _ignore_blank_lines()
    # max_col: every row as wide as the header, however far right a cell claims to be.
    for row in sheet.iter_rows(min_row=2, max_col=width, values_only=True):
        if ignore_blanks and all(value is None for value in row):
            continue
        dataset.append(row)
        if len(dataset) > max_rows:
            break
    return dataset


# --- .csv ----------------------------------------------------------------------------------


def decode_text(content: bytes, *, name: str) -> str:
    """UTF-8 with a BOM (Excel's ”CSV UTF-8”), UTF-8, then Windows-1252 (Excel's ”CSV
    (semikolonavgränsad)” on a Swedish Windows); UTF-16 only with its BOM."""
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(
                f"{name} kunde inte läsas som CSV: filen säger att den är UTF-8 men byte "
                f"{error.start + len(codecs.BOM_UTF8) + 1} är inte giltig UTF-8. {SAVE_AS_CSV}"
            ) from None
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise SpreadsheetError(
                f"{name} kunde inte läsas som CSV: filen är inte giltig UTF-16. {SAVE_AS_CSV}"
            ) from None
    if content.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(
            f"{name} kunde inte läsas som CSV: filen är en Excel-arbetsbok. Välj en fil som "
            "slutar på .xlsx (döp om den) eller spara den i Excel som ”CSV UTF-8 "
            "(kommaavgränsad)” och försök igen."
        )
    # Many NULs: UTF-16 without its BOM, or not text at all. (A stray NUL in a cell is left
    # to the import, which removes it.)
    if content.count(b"\x00") > len(content) // 10 or content.startswith(OLE_MAGIC):
        raise SpreadsheetError(
            f"{name} kunde inte läsas som CSV: filen innehåller binära data (eller är sparad "
            f"som Unicode-text) och är ingen CSV-fil. {SAVE_AS_CSV}"
        )
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise SpreadsheetError(
            f"{name} kunde inte läsas som CSV: teckenkodningen känns inte igen (varken UTF-8 "
            f"eller Windows-1252, byte {error.start + 1}). {SAVE_AS_CSV}"
        ) from None


_QUOTED = re.compile(r'"[^"]*"')
_SEP_LINE = re.compile(r"sep=(.)\s*")
DELIMITERS = (";", ",", "\t")


def sniff_delimiter(header_line: str) -> str:
    """The candidate seen most often in the header line, outside quotes; a comma when there
    is none (a file of one column). Values are not looked at: "91,5" in a semicolon file is
    a decimal, not two fields."""
    bare = _QUOTED.sub("", header_line)
    counts = {d: bare.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(content: bytes, *, name: str, max_rows: int) -> tablib.Dataset:
    """Row 1 as headers, then at most ``max_rows + 1`` non-empty rows, as tablib reads a CSV
    (short rows padded with ""), with the separator of the file."""
    text = decode_text(content, name=name)
    first_line, _, rest = text.partition("\n")
    sep_line = _SEP_LINE.fullmatch(first_line.rstrip("\r"))
    if sep_line:  # Excel's own hint, "sep=;" on the first line
        delimiter, text = sep_line.group(1), rest
        first_line = rest.partition("\n")[0]
    else:
        delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    dataset = tablib.Dataset()
    width = None
    try:
        for row in reader:
            if width is None:
                while row and row[-1] == "":
                    row.pop()
                if not row:
                    raise SpreadsheetError(
                        f"{name}: första raden är tom. Rad 1 ska ha kolumnrubrikerna, som i en "
                        "exporterad fil."
                    )
                if len(row) > MAX_COLUMNS:
                    raise SpreadsheetError(
                        f"{name}: rad 1 har {len(row)} kolumner; högst {MAX_COLUMNS} tas emot. "
                        "Ta bort kolumnerna som inte hör till importen och försök igen."
                    )
                width = len(row)
                dataset.headers = row
                continue
            if not row:
                continue  # an empty line, which tablib skips too
            if len(row) > width:
                extra = row[width:]
                if any(value.strip() for value in extra):
                    raise SpreadsheetError(
                        f"{name} kunde inte läsas som CSV: rad {reader.line_num} har "
                        f"{len(row)} värden men rubrikraden har {width} (avgränsare "
                        f"”{_delimiter_name(delimiter)}”). Kontrollera att värden med "
                        f"avgränsaren i sig står inom citattecken. {SAVE_AS_CSV}"
                    )
                row = row[:width]
            elif len(row) < width:
                row += [""] * (width - len(row))
            dataset.append(row)
            if len(dataset) > max_rows:
                break
    except csv.Error as error:
        raise SpreadsheetError(
            f"{name} kunde inte läsas som CSV: {_csv_reason(error)} (rad {reader.line_num}). "
            f"{SAVE_AS_CSV}"
        ) from None
    if width is None:
        raise SpreadsheetError(f"{name}: filen är tom. {SAVE_AS_CSV}")
    return dataset


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tabb"}.get(delimiter, delimiter)


def _csv_reason(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return f"ett värde är längre än {_n(csv.field_size_limit())} tecken"
    if "unexpected end of data" in text:
        return "ett citattecken (”) avslutas aldrig"
    if "expected after" in text:
        return "ett citattecken (”) står mitt i ett värde"
    return "filen följer inte CSV-formatet"


# --- writing ---------------------------------------------------------------------------------

SHEET_TITLE_MAX = 31  # Excel refuses longer sheet names
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")


def sheet_title(text: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of \\ / ? * [ ] :, no
    apostrophe first or last, not empty and not Excel's reserved "History". A long name is
    cut at a word."""
    name = " ".join(_SHEET_TITLE_FORBIDDEN.sub(" ", text).split()).strip("'")
    if len(name) > SHEET_TITLE_MAX:
        cut = name[:SHEET_TITLE_MAX]
        name = cut.rsplit(" ", 1)[0] if " " in cut else cut
        name = name.rstrip(" -–(,;'")
    if not name or name.lower() == "history":
        return "Blad1"
    return name


def swedish_csv(dataset: tablib.Dataset) -> str:
    """The dataset as CSV text with its decimal numbers written Swedish: 5.5 → "5,5"."""
    out = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        out.append([_swedish(value) for value in row])
    return out.export("csv")


def _swedish(value):
    if isinstance(value, float | Decimal):
        return f"{Decimal(str(value)).normalize():f}".replace(".", ",")
    return value
