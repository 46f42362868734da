"""The import preview shows what will change, cell by cell, and which targets an older file
removes; exported sheets are named after their content and hold numbers as numbers."""

import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from goals.models import Indicator, Target
from goals.resources import RESOURCES
from goals.spreadsheets import sheet_title

pytestmark = pytest.mark.django_db


class PreviewTable(HTMLParser):
    """The preview's rows as a reader meets them: {row id: {data-label: cell}}, where a cell
    holds its whole text and the text of its <del> and <ins>."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, dict[str, dict]] = {}
        self.cells_without_label = 0
        self._row = self._cell = None
        self._in = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and (attrs.get("id") or "").startswith("rad-"):
            self._row = self.rows.setdefault(attrs["id"], {})
        elif tag in ("td", "th") and self._row is not None:
            if "data-label" not in attrs:
                self.cells_without_label += 1
            self._cell = {"text": "", "del": "", "ins": ""}
            self._row[attrs.get("data-label", "")] = self._cell
        elif tag in ("del", "ins"):
            self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in ("del", "ins") and self._in:
            self._in.pop()
        elif tag in ("td", "th"):
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
            for tag in self._in:
                self._cell[tag] += data


def _preview_table(html: str) -> PreviewTable:
    table = PreviewTable()
    table.feed(html)
    return table


def _upload(client, kind: str, name: str, content: bytes):
    return client.post(
        reverse("data_import"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


def _indicator_row(code: str, **changes) -> bytes:
    dataset = RESOURCES["indikatorer"]().export(queryset=Indicator.objects.filter(code=code))
    row = dict(zip(dataset.headers, dataset[0], strict=True)) | changes
    out = tablib.Dataset(headers=dataset.headers)
    out.append([row[h] for h in dataset.headers])
    return out.export("csv").encode()


# --- old → new, cell by cell ---------------------------------------------------------------


def test_a_changed_row_shows_each_changed_cell_with_its_old_and_new_value(client_for):
    indicator = Indicator.objects.get(code="UN-HK-1-1")
    old_name = indicator.name
    content = _indicator_row("UN-HK-1-1", namn="Andel behöriga elever", basvärde="88,5")
    response = _upload(client_for("namnd"), "indikatorer", "indikatorer.csv", content)
    html = response.content.decode()
    assert response.status_code == 200, html
    row = _preview_table(html).rows["rad-1"]
    assert "Ändras" in row["Händelse"]["text"]
    assert "namn" in row["Händelse"]["text"] and "basvärde" in row["Händelse"]["text"]
    # Not colour alone: the old value is deleted text, the new inserted, each named in words.
    assert row["namn"]["del"] == f"tidigare: {old_name}"
    assert row["namn"]["ins"] == "nytt: Andel behöriga elever"
    assert row["basvärde"]["del"] == "tidigare: 88" and row["basvärde"]["ins"] == "nytt: 88,5"
    # What the file leaves as it is shows once, without old and new.
    assert row["kod"] == {"text": "UN-HK-1-1", "del": "", "ins": ""}
    assert row["källa"]["del"] == row["källa"]["ins"] == ""


def test_a_refused_row_shows_no_stored_values(client_for):
    """A row outside the user's subtree is refused; its stored values stay unknown."""
    stored = Indicator.objects.get(code="SN-HA-1-1")
    content = _indicator_row("SN-HA-1-1", namn="Något annat")
    html = _upload(client_for("namnd"), "indikatorer", "i.csv", content).content.decode()
    row = _preview_table(html).rows["rad-1"]
    assert "finns inte bland det du får ändra" in row["Händelse"]["text"]
    assert all(cell["del"] == "" for cell in row.values())
    assert stored.name not in html


def test_every_cell_of_the_preview_carries_its_column_heading(client_for):
    content = _indicator_row("UN-HK-1-1", namn="Nytt")
    html = _upload(client_for("namnd"), "indikatorer", "i.csv", content).content.decode()
    table = _preview_table(html)
    assert table.rows and table.cells_without_label == 0
    assert set(table.rows["rad-1"]) >= {"Rad", "Händelse", "kod", "namn", "målvärden"}


# --- an older export: which targets it removes --------------------------------------------


def _older_export(client, missing: list[tuple[str, int]]) -> bytes:
    """An export taken before these targets were entered: they are gone while it is made,
    then entered again."""
    saved = [Target.objects.get(indicator__code=code, year=year) for code, year in missing]
    for target in saved:
        target.delete()
    content = client.get(reverse("data_export", args=["indikatorer", "xlsx"])).content
    for target in saved:
        Target.objects.create(indicator=target.indicator, year=target.year, value=target.value)
    return content


def _targets() -> set[tuple[str, int, Decimal]]:
    return set(Target.objects.values_list("indicator__code", "year", "value"))


def test_an_older_export_says_which_targets_it_removes_and_removes_only_those(client_for):
    client = client_for("namnd")
    content = _older_export(client, [("UN-HK-1-1", 2024), ("UN-HK-1-2", 2023)])
    before = _targets()
    response = _upload(client, "indikatorer", "indikatorer-mars.xlsx", content)
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "2 målvärden tas bort" in html
    removals = [(r["indicator"], r["year"], r["value"]) for r in response.context["removals"]]
    assert removals == [("UN-HK-1-1", 2024, "90"), ("UN-HK-1-2", 2023, "95")]
    assert re.search(r"UN-HK-1-1</th><td[^>]*>2024</td><td[^>]*>90</td>", html)
    assert _targets() == before  # nothing removed by the preview
    done = client.post(
        reverse("data_import"),
        {"action": "confirm", "token": client.session["import_upload"]["token"]},
        follow=True,
    )
    assert "är importerad" in done.content.decode()
    assert _targets() == before - {
        ("UN-HK-1-1", 2024, Decimal("90.00")),
        ("UN-HK-1-2", 2023, Decimal("95.00")),
    }


def test_a_target_entered_after_the_preview_is_not_removed_by_the_confirmation(client_for):
    client = client_for("namnd")
    target = Target.objects.get(indicator__code="UN-HK-1-1", year=2024)
    target.delete()
    content = client.get(reverse("data_export", args=["indikatorer", "csv"])).content
    html = _upload(client, "indikatorer", "indikatorer.csv", content).content.decode()
    assert "tas bort" not in html  # nothing to remove when the preview was made
    Target.objects.create(indicator=target.indicator, year=2024, value=target.value)
    before = _targets()
    done = client.post(
        reverse("data_import"),
        {"action": "confirm", "token": client.session["import_upload"]["token"]},
        follow=True,
    )
    assert "Importen stoppades" in done.content.decode()
    assert _targets() == before


# --- the exported files ----------------------------------------------------------------------


def _sheet(client, kind: str):
    content = client.get(reverse("data_export", args=[kind, "xlsx"])).content
    return openpyxl.load_workbook(io.BytesIO(content)).active


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        ("organisation", "Organisation"),
        ("mal", "Inriktningsmål"),
        ("indikatorer", "Indikatorer med målvärden"),
        ("utfall", "Utfall"),
        ("planer", "Verksamhetsplaner"),
        ("aktiviteter", "Aktiviteter"),
    ],
)
def test_each_exported_sheet_is_named_after_its_content(client_for, kind, title):
    assert _sheet(client_for("admin"), kind).title == title


def test_sheet_names_keep_to_excels_rules():
    assert sheet_title("Verksamhetsplaner (grunduppdrag)") == "Verksamhetsplaner"
    assert sheet_title("Mål: 2026/2027 [utkast]?") == "Mål 2026 2027 utkast"
    assert len(sheet_title("x" * 40)) == 31
    assert sheet_title("'Utfall'") == "Utfall"
    assert sheet_title("History") == sheet_title("::") == "Blad1"


def _columns(sheet) -> dict[str, list]:
    """Each column's cells below the heading."""
    rows = list(sheet.iter_rows())
    return {head.value: [row[i] for row in rows[1:]] for i, head in enumerate(rows[0])}


@pytest.mark.parametrize(
    ("kind", "years", "decimals"),
    [
        ("indikatorer", ["basår"], ["basvärde"]),
        ("utfall", ["år"], ["utfall"]),
        ("mal", ["gäller från", "gäller till"], []),
        ("planer", ["år"], []),
    ],
)
def test_numbers_are_numbers_in_excel(client_for, kind, years, decimals):
    columns = _columns(_sheet(client_for("admin"), kind))
    for name in years:
        cells = [c for c in columns[name] if c.value is not None]
        assert cells and all(c.data_type == "n" and isinstance(c.value, int) for c in cells)
    for name in decimals:
        cells = [c for c in columns[name] if c.value is not None]
        assert cells and all(c.data_type == "n" and isinstance(c.value, int | float) for c in cells)
        assert any(isinstance(c.value, float) and c.value != int(c.value) for c in cells)


def test_a_decimal_in_excel_is_the_stored_number(client_for):
    indicator = Indicator.objects.get(code="BN-HK-1-1")
    columns = _columns(_sheet(client_for("admin"), "indikatorer"))
    row = [c.value for c in columns["kod"]].index("BN-HK-1-1")
    cell = columns["basvärde"][row]
    assert cell.data_type == "n" and Decimal(str(cell.value)) == indicator.baseline_value


@pytest.mark.parametrize(("kind", "column"), [("indikatorer", "basvärde"), ("utfall", "utfall")])
def test_csv_numbers_stay_swedish(client_for, kind, column):
    text = client_for("admin").get(reverse("data_export", args=[kind, "csv"])).content
    values = [r[column] for r in tablib.Dataset().load(text.decode("utf-8-sig"), format="csv").dict]
    filled = [v for v in values if v]
    assert filled and all(re.fullmatch(r"-?\d+(,\d+)?", v) for v in filled), filled[:5]
    assert any("," in v for v in filled)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", list(RESOURCES))
def test_an_exported_file_imports_back_unchanged(client_for, kind, fmt):
    client = client_for("admin")
    content = client.get(reverse("data_export", args=[kind, fmt])).content
    response = _upload(client, kind, f"{kind}.{fmt}", content)
    assert response.status_code == 200, response.content.decode()[:2000]
    rows = response.context["rows"]
    assert rows and {r["kind"] for r in rows} == {"skip"}, [
        (r["number"], r["errors"], r["changed"]) for r in rows if r["kind"] != "skip"
    ][:3]
    assert not response.context["removals"]


def test_the_admins_import_preview_still_shows_its_diff(client_for):
    """The admin imports with the same resources; its preview lists each column's diff."""
    content = _indicator_row("UN-HK-1-1", namn="Namn från admin")
    admin = client_for("admin")
    page = admin.get(reverse("admin:goals_indicator_import"))
    choices = page.context["form"].fields["format"].choices
    csv = next(value for value, label in choices if str(label).lower() == "csv")
    response = admin.post(
        reverse("admin:goals_indicator_import"),
        {
            "format": csv,
            "import_file": SimpleUploadedFile("i.csv", content),
            "resource": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    # django-import-export marks the inserted text (here "Namn från admin", split by its diff).
    assert "Namn från admi" in html and "<ins" in html
