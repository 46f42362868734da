"""Exported sheets are named after their content and hold numbers as numbers."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.urls import reverse

from goals.models import Indicator
from goals.spreadsheets import sheet_title

pytestmark = pytest.mark.django_db


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
