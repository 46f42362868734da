"""The cells of an import or export: Swedish values and errors, and no spreadsheet formulas.

A code, a number list, a Swedish decimal, a year, ja/nej, a choice by its Swedish label and a
date each have a widget that reads what Excel writes and answers in Swedish when it cannot.
Numbers are exported as numbers (Excel shows them in the reader's own format; the CSV writer
in goals/spreadsheets.py writes them Swedish). Text that a spreadsheet would run as a formula
is neutralised on export and restored on import. The preview's cell diff and an indicator's
targets (one cell, written as rows of their own) live here too.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from import_export import fields, widgets
from import_export.resources import Diff

from core.formats import format_swedish_number

from .models import (
    Indicator,
    OperationalPlan,
    OrgUnit,
    PlanYear,
    ReportingOccasion,
    Submission,
    Target,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_AFTER_APOSTROPHE = "=+-@\t\r'"


def neutralise(value):
    """Text a spreadsheet would evaluate gets a leading apostrophe (CSV/Excel injection)."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_START) or (value[:1] == "'" and value[1:2] in _AFTER_APOSTROPHE)
    ):
        # Text that already looks neutralised gets one more apostrophe, so that the import,
        # which removes one, gives back exactly what was exported.
        return "'" + value
    return value


def unneutralise(value):
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == "'"
        and value[1] in _AFTER_APOSTROPHE
    ):
        return value[1:]
    return value


# --- widgets with Swedish errors ----------------------------------------------------------


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key written as its natural key (a code, a number, a user name)."""

    def __init__(self, model, field, label, queryset=None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.label = label
        self._queryset = queryset

    def get_queryset(self, value, row, *args, **kwargs):
        return self._queryset if self._queryset is not None else self.model.objects.all()

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        value = str(value).strip()
        if value.endswith(".0") and value[:-2].isdigit():
            value = value[:-2]  # Excel turns 3 into 3.0
        try:
            return self.get_queryset(value, row).get(**{self.field: value})
        except (ObjectDoesNotExist, ValueError):
            raise ValueError(f"Okänd {self.label}: {value}") from None


class NumbersWidget(widgets.ManyToManyWidget):
    """Övergripande mål or strategies as their numbers: "1, 3"."""

    def __init__(self, model, label):
        super().__init__(model, separator=",", field="number")
        self.label = label

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return self.model.objects.none()
        numbers = []
        for part in re.split(r"[,;]", str(value)):
            part = part.strip().removesuffix(".0")
            if not part:
                continue
            if not part.isdigit():
                raise ValueError(f"{self.label}: ”{part}” är inte ett nummer")
            numbers.append(int(part))
        found = self.model.objects.filter(number__in=numbers)
        missing = sorted(set(numbers) - {o.number for o in found})
        if missing:
            raise ValueError(f"Okänt nummer på {self.label}: {', '.join(map(str, missing))}")
        return found


class SwedishDecimalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return Decimal(str(value))
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", ".").replace("−", "-")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"”{value}” är inte ett tal") from None
        if not number.is_finite():
            raise ValueError(f"”{value}” är inte ett tal")
        return number

    def render(self, value, obj=None, **kwargs):
        # A number, so that Excel stores a number (a float: what a spreadsheet cell holds).
        return "" if value is None else float(value)


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = str(value).strip().removesuffix(".0")
        if not (text.isdigit() and len(text) == 4):
            raise ValueError(f"”{value}” är inte ett årtal")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class YesNoWidget(widgets.Widget):
    TRUE = {"ja", "j", "sant", "true", "1", "x"}
    FALSE = {"nej", "n", "falskt", "false", "0", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip().lower().removesuffix(".0")
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"Skriv ja eller nej, inte ”{value}”")

    def render(self, value, obj=None, **kwargs):
        return "ja" if value else "nej"


class ChoiceWidget(widgets.Widget):
    """A choice written with its Swedish label (the stored value is accepted too)."""

    def __init__(self, choices, label):
        self.by_label = {str(lbl).lower(): val for val, lbl in choices}
        self.values = {val for val, _lbl in choices}
        self.labels = dict(choices)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if text in self.values:
            return text
        if text.lower() in self.by_label:
            return self.by_label[text.lower()]
        allowed = ", ".join(str(lbl) for lbl in self.labels.values())
        raise ValueError(f"Okänd {self.label} ”{value}”; välj bland: {allowed}")

    def render(self, value, obj=None, **kwargs):
        return str(self.labels.get(value, value))


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise ValueError(f"”{value}” är inget datum; skriv ÅÅÅÅ-MM-DD") from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


VERSION_COLUMN = "version"


class VersionWidget(widgets.Widget):
    """The row's version at export, read back to find what the file was based on."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = str(value).strip().removesuffix(".0")
        if not text.isdigit():
            raise ValueError(
                f"”{value}” är ingen version. Kolumnen version ska stå kvar som i exporten."
            )
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class TargetsField(fields.Field):
    """All targets of an indicator in one cell: "2025=91; 2026=92,5"."""

    def clean(self, row, **kwargs):
        raw = row.get(self.column_name)
        if raw in (None, ""):
            return {}
        targets = {}
        for part in str(raw).split(";"):
            part = part.strip()
            if not part:
                continue
            year, sep, value = part.partition("=")
            year_value = YearWidget().clean(year.strip())
            if not sep:
                raise ValueError(f"Målvärden skrivs år=värde; ”{part}” saknar =")
            targets[year_value] = SwedishDecimalWidget().clean(value.strip())
        return targets

    def export(self, instance, **kwargs):
        if instance.pk is None:
            return ""
        return "; ".join(
            f"{t.year}={format_number(t.value)}"
            for t in sorted(instance.targets.all(), key=lambda t: t.year)
        )

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance._imported_targets = self.clean(row)


def format_number(value) -> str:
    value = Decimal(value).normalize()
    text = f"{value:f}"
    return text.replace(".", ",")


class OccasionWidget(widgets.Widget):
    """The occasion named in the row, in the plan year of the row's 'år' column."""

    def clean(self, value, row=None, **kwargs):
        year = YearWidget().clean((row or {}).get("år"))
        if year is None:
            raise ValueError("Ange året i kolumnen ”år”")
        name = str(value or "").strip()
        occasion = ReportingOccasion.objects.filter(plan_year__year=year, name__iexact=name).first()
        if occasion is None:
            raise ValueError(f"Okänt rapporteringstillfälle ”{name}” för {year}")
        return occasion

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class PlanWidget(widgets.Widget):
    """The unit's plan for the row's year; created when the unit has none yet."""

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise ValueError(f"Okänd enhet: {code}")
        year = YearWidget().clean((row or {}).get("år"))
        plan_year = PlanYear.objects.filter(year=year).first() if year else None
        if plan_year is None:
            raise ValueError(f"Verksamhetsåret ”{(row or {}).get('år')}” finns inte")
        plan = OperationalPlan.objects.filter(org_unit=unit, plan_year=plan_year).first()
        return plan or OperationalPlan(org_unit=unit, plan_year=plan_year)

    def render(self, value, obj=None, **kwargs):
        return value.org_unit.code if value else ""


# --- the preview: which cells a row changes ------------------------------------------------


def cell_text(value) -> str:
    """A cell as the preview shows it: numbers in Swedish format, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        return format_swedish_number(Decimal(str(value)))
    return str(value)


class CellDiff(Diff):
    """Besides django-import-export's HTML diff (the admin's preview shows it), the stored and
    the imported value of every column the row changes, for the import page's preview."""

    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.columns = [f.column_name for f in resource.get_import_fields()]

    def as_html(self) -> "ChangedCells":
        html = ChangedCells(super().as_html())  # what RowResult.diff holds
        if not self.new:
            for column, old, new in zip(self.columns, self.left, self.right, strict=False):
                if column == VERSION_COLUMN:
                    continue  # it moves on at every save; the preview shows what the file changes
                old_text, new_text = cell_text(old), cell_text(new)
                if old_text != new_text:
                    html.changed[column] = (old_text, new_text)
        return html


class ChangedCells(list):
    """The HTML diff, one item per column, with ``changed``: {column: (old, new)} as text."""

    def __init__(self, items=()):
        super().__init__(items)
        self.changed: dict[str, tuple[str, str]] = {}


# --- an indicator's targets ------------------------------------------------------------------


def published_target_years(indicator) -> set[int]:
    """Years of the indicator's stored targets whose follow-up its committee has published."""
    stored = Indicator.objects.filter(pk=indicator.pk).values_list(
        "direction_goal__committee_id", flat=True
    )
    return set(
        Target.objects.filter(
            indicator_id=indicator.pk,
            year__in=Submission.objects.filter(
                org_unit_id__in=stored, state=Submission.State.PUBLISHED
            ).values("occasion__plan_year__year"),
        ).values_list("year", flat=True)
    )


def check_targets(indicator, wanted: dict, goal, *, confirmed=None) -> None:
    """Refuse targets the file may not leave out or add: a published year's, one the preview
    did not show as removed (``confirmed``: the (code, year) pairs it showed; None when there
    was no preview), and years outside the goal's."""
    if indicator.pk is not None:
        stored = Target.objects.filter(indicator_id=indicator.pk).values_list("year", flat=True)
        left_out = set(stored) - set(wanted)
        published = published_target_years(indicator) & left_out
        if published:
            years = ", ".join(map(str, sorted(published)))
            raise ValidationError(
                {
                    "targets": (
                        f"Målvärdet för {years} kan inte tas bort: uppföljningen av det "
                        "året är publicerad. Skriv med målvärdet i filen."
                    )
                }
            )
        unseen = sorted(
            y for y in left_out if confirmed is not None and (indicator.code, y) not in confirmed
        )
        if unseen:
            raise ValidationError(
                {
                    "targets": (
                        f"Målvärdet för {', '.join(map(str, unseen))} skulle tas bort men "
                        "fanns inte med i förhandsgranskningen. Ladda upp filen igen."
                    )
                }
            )
    if goal is not None:
        outside = [y for y in wanted if not goal.covers_year(y)]
        if outside:
            raise ValidationError(
                {
                    "targets": (
                        f"År utanför målets giltighet {goal.valid_from}–{goal.valid_to}: "
                        + ", ".join(map(str, outside))
                    )
                }
            )


def save_targets(indicator, wanted: dict, *, user) -> list[tuple[int, Decimal]]:
    """Make the indicator's targets those of the file; returns the removed (year, value)."""
    existing = {t.year: t for t in Target.objects.filter(indicator=indicator)}
    for year, value in wanted.items():
        target = existing.get(year)
        if target is None:
            target = Target(indicator=indicator, year=year, value=value)
        elif target.value == value:
            continue
        target.value = value
        if user is not None:
            target._history_user = user
        target.save()
    removed = []
    for year, target in sorted(existing.items()):
        if year not in wanted:
            removed.append((year, target.value))
            if user is not None:
                target._history_user = user
            target.delete()
    return removed


def targets_at_version(indicator, record) -> dict[int, Decimal]:
    """The indicator's targets as they stood at the version of its history `record`.

    A save writes the indicator's row first and its targets after it, so the targets of a
    version are those written before the next version's row.
    """
    next_save = (
        indicator.history.filter(version__gt=record.version)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    state, tracked = {}, set()
    for row in Target.history.filter(indicator_id=indicator.pk).order_by("history_date", "pk"):
        tracked.add(row.id)
        if next_save is None or row.history_date < next_save:
            state[row.id] = None if row.history_type == "-" else (row.year, row.value)
    # A target loaded without history (a bulk load) has stood as it is since then.
    for target in Target.objects.filter(indicator_id=indicator.pk).exclude(pk__in=tracked):
        state[target.pk] = (target.year, target.value)
    return dict(filter(None, state.values()))
