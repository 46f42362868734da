"""Outcomes from Kolada, RKA's database of municipal key figures.

Three steps, each usable alone:

- ``fetch_pages`` asks Kolada's ``data`` endpoint (v2:
  ``/data/kpi/<kpi>/municipality/<id>/year/<year>``; each part may be a comma list) and
  follows ``next_page`` until the last page. It returns the raw pages.
- ``parse_pages`` checks that the JSON has Kolada's shape and turns it into ``KoladaValue``
  rows. It takes one page object or a list of page objects, in order: that is also the format
  of a saved response on file (``import_kolada --file``).
- ``import_values`` writes the values in one transaction: the configured municipality's value
  for year Y becomes the outcome (``Measurement``) of every indicator with that KPI at the
  Verksamhetsberättelse of plan year Y; Riket's (0000) value becomes a ``ReferenceValue``.
  Only rows that differ are saved, so importing the same data twice changes nothing.

Nothing is written before the whole response has been fetched and checked.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from http.client import HTTPException
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.formats import format_swedish_number

from .models import (
    Indicator,
    Measurement,
    PlanYear,
    PublishedError,
    ReferenceValue,
    ReportingOccasion,
    Submission,
)

GENDERS = {"T": "totalt", "K": "kvinnor", "M": "män"}
DEFAULT_GENDER = "T"
RIKET_ID = "0000"
RIKET_NAME = "Riket"
CHANGE_REASON = "Import från Kolada"

KPI_PATTERN = re.compile(r"^[A-Z]\d{5}$")
AREA_PATTERN = re.compile(r"^[0-9A-Za-z]{1,10}$")
CENT = Decimal("0.01")
# Measurement.value and ReferenceValue.value: DecimalField(max_digits=14, decimal_places=2).
VALUE_LIMIT = Decimal("1e12")
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_PAGES = 200
MAX_RESPONSE_BYTES = 50 * 1024 * 1024


class KoladaError(Exception):
    """Any failure that stops an import; the message is Swedish, for the user."""


class KoladaFormatError(KoladaError):
    """The JSON does not have the shape of Kolada's data endpoint."""


class KoladaFetchError(KoladaError):
    """Kolada could not be reached or answered with an error."""


# --- parsing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KoladaValue:
    """One value: a KPI for one area (municipality id) and year, for one gender."""

    kpi: str
    municipality: str
    year: int
    gender: str
    value: Decimal | None
    status: str = ""


@dataclass
class ParsedResponse:
    values: list[KoladaValue]
    pages: int
    warnings: list[str] = field(default_factory=list)


def load_file(path: str | Path) -> ParsedResponse:
    """A saved response: one page object, or a JSON list of page objects in order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise KoladaFormatError(f"Filen {path} finns inte.") from exc
    except IsADirectoryError as exc:
        raise KoladaFormatError(f"{path} är en mapp, inte en fil.") from exc
    except UnicodeDecodeError as exc:
        raise KoladaFormatError(f"Filen {path} är inte text i UTF-8.") from exc
    except OSError as exc:
        raise KoladaFormatError(f"Filen {path} kunde inte läsas: {exc.strerror}.") from exc
    return parse_pages(loads(text, source=f"Filen {path}"))


def loads(text: str, *, source: str):
    """JSON with exact decimals (no float rounding) and without NaN or Infinity."""

    def refuse(constant):
        raise ValueError(constant)

    try:
        return json.loads(text, parse_float=Decimal, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise KoladaFormatError(
            f"{source} är inte giltig JSON (rad {exc.lineno}, kolumn {exc.colno}: {exc.msg})."
        ) from exc
    except ValueError as exc:
        raise KoladaFormatError(f"{source} innehåller {exc}, som inte är ett tal.") from exc


def parse_pages(data) -> ParsedResponse:
    """Check Kolada's shape and return every value; raise KoladaFormatError naming the spot."""
    if isinstance(data, dict):
        pages = [data]
    elif isinstance(data, list) and data and all(isinstance(p, dict) for p in data):
        pages = data
    else:
        raise KoladaFormatError(
            'Kolada-svaret ska vara ett objekt med nyckeln "values" (en sida), '
            "eller en lista med sådana objekt (flera sidor i ordning)."
        )
    values: dict[tuple, KoladaValue] = {}
    warnings: list[str] = []
    for page_no, page in enumerate(pages, start=1):
        where_page = f"sida {page_no}" if len(pages) > 1 else "svaret"
        rows = page.get("values")
        if not isinstance(rows, list):
            raise KoladaFormatError(
                f'Fel i {where_page}: nyckeln "values" saknas eller är inte en lista.'
            )
        next_page = page.get("next_page")
        if next_page is not None and not isinstance(next_page, str):
            raise KoladaFormatError(
                f'Fel i {where_page}: "next_page" ska vara en adress eller null.'
            )
        if next_page and page_no == len(pages):
            warnings.append(
                "Sista sidan anger att fler sidor finns (next_page), men de finns inte med; "
                "bara de sidor som finns lästes in."
            )
        for row_no, row in enumerate(rows, start=1):
            where = f"{where_page}, post {row_no}"
            for value in _parse_row(row, where):
                key = (value.kpi, value.municipality, value.year, value.gender)
                earlier = values.get(key)
                if earlier is not None and earlier.value != value.value:
                    raise KoladaFormatError(
                        f"Fel i {where}: {value.kpi} för {value.municipality} år {value.year} "
                        f"(kön {value.gender}) förekommer två gånger med olika värden."
                    )
                values[key] = value
    return ParsedResponse(values=list(values.values()), pages=len(pages), warnings=warnings)


def _parse_row(row, where: str) -> list[KoladaValue]:
    if not isinstance(row, dict):
        raise KoladaFormatError(f"Fel i {where}: posten ska vara ett objekt.")
    kpi = row.get("kpi")
    if not isinstance(kpi, str) or not KPI_PATTERN.match(kpi):
        raise KoladaFormatError(
            f'Fel i {where}: "kpi" ska vara ett Kolada-id som N00945, inte {kpi!r}.'
        )
    municipality = row.get("municipality")
    if not isinstance(municipality, str) or not AREA_PATTERN.match(municipality):
        raise KoladaFormatError(
            f'Fel i {where}: "municipality" ska vara ett kommun-id i text, t.ex. "0162", '
            f"inte {municipality!r}."
        )
    year = _year(row.get("period"))
    if year is None:
        raise KoladaFormatError(
            f'Fel i {where}: "period" ska vara ett årtal, inte {row.get("period")!r}.'
        )
    gender_rows = row.get("values")
    if not isinstance(gender_rows, list):
        raise KoladaFormatError(f'Fel i {where}: "values" saknas eller är inte en lista.')
    parsed = []
    seen = set()
    for item in gender_rows:
        if not isinstance(item, dict):
            raise KoladaFormatError(f"Fel i {where}: varje värde ska vara ett objekt.")
        gender = item.get("gender")
        if gender not in GENDERS:
            raise KoladaFormatError(
                f'Fel i {where}: "gender" ska vara T, K eller M, inte {gender!r}.'
            )
        if gender in seen:
            raise KoladaFormatError(f"Fel i {where}: kön {gender} förekommer två gånger.")
        seen.add(gender)
        status = item.get("status") or ""
        if not isinstance(status, str):
            raise KoladaFormatError(f'Fel i {where}: "status" ska vara text.')
        parsed.append(
            KoladaValue(
                kpi=kpi,
                municipality=municipality,
                year=year,
                gender=gender,
                value=_number(item.get("value"), where),
                status=status,
            )
        )
    return parsed


def _year(period) -> int | None:
    if isinstance(period, bool):
        return None
    if isinstance(period, int):
        year = period
    elif isinstance(period, str) and re.fullmatch(r"\d{4}", period):
        year = int(period)
    else:
        return None
    return year if 1900 <= year <= 2200 else None


def _number(raw, where: str) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise KoladaFormatError(
            f'Fel i {where}: "value" ska vara ett tal eller null, inte {raw!r}.'
        )
    try:
        number = Decimal(str(raw))
    except InvalidOperation as exc:  # pragma: no cover - str() of a number always parses
        raise KoladaFormatError(f'Fel i {where}: "value" {raw!r} är inte ett tal.') from exc
    if not number.is_finite():
        raise KoladaFormatError(f'Fel i {where}: "value" {raw!r} är inte ett tal.')
    return number


# --- fetching -------------------------------------------------------------------------------


def data_url(*, kpis, municipality_ids, years, base_url: str | None = None) -> str:
    base = (base_url or settings.KOLADA_BASE_URL).rstrip("/")

    def part(items):
        return quote(",".join(str(i) for i in items), safe=",")

    return f"{base}/data/kpi/{part(kpis)}/municipality/{part(municipality_ids)}/year/{part(years)}"


def fetch_pages(
    *, kpis, municipality_ids, years, base_url: str | None = None, timeout: float | None = None
) -> list[dict]:
    """Every page of the answer, following next_page; KoladaFetchError on any failure."""
    base_url = base_url or settings.KOLADA_BASE_URL
    timeout = timeout if timeout is not None else settings.KOLADA_TIMEOUT_SECONDS
    base = urlsplit(base_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise KoladaFetchError(
            f"KOLADA_BASE_URL ({base_url}) är ingen http- eller https-adress. Inget har sparats."
        )
    url: str | None = data_url(
        kpis=kpis, municipality_ids=municipality_ids, years=years, base_url=base_url
    )
    pages: list[dict] = []
    seen: set[str] = set()
    while url:
        if url in seen or len(pages) >= MAX_PAGES:
            raise KoladaFetchError(
                f"Kolada skickar sidor utan slut (efter {len(pages)} sidor). Inget har sparats."
            )
        seen.add(url)
        page = _get_json(url, timeout)
        if not isinstance(page, dict):
            raise KoladaFetchError(
                f"Kolada svarade inte med ett dataobjekt för {url}. Inget har sparats."
            )
        pages.append(page)
        url = _next_url(page.get("next_page"), base)
    return pages


def _next_url(next_page, base) -> str | None:
    """next_page on Kolada's own host only, and never downgraded from https to http."""
    if not isinstance(next_page, str) or not next_page:
        return None
    parts = urlsplit(next_page)
    if parts.netloc.lower() != base.netloc.lower() or parts.scheme not in ("http", "https"):
        raise KoladaFetchError(
            f"Kolada hänvisar nästa sida till en annan adress ({next_page}); den följs inte. "
            "Inget har sparats."
        )
    return parts._replace(scheme=base.scheme).geturl()


def _get_json(url: str, timeout: float):
    request = Request(
        url, headers={"Accept": "application/json", "User-Agent": "Styrsystem/kolada-import"}
    )
    try:
        with urlopen(request, timeout=timeout) as response:  # http(s) only, checked above
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except HTTPError as exc:
        raise KoladaFetchError(
            f"Kolada svarade med HTTP-fel {exc.code} ({exc.reason}) för {url}. Inget har sparats."
        ) from exc
    except URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _timeout(url, timeout) from exc
        raise KoladaFetchError(
            f"Kolada kunde inte nås ({url}): {exc.reason}. Kontrollera nätverksanslutningen "
            "och försök igen, eller läs in ett sparat svar med --file. Inget har sparats."
        ) from exc
    except TimeoutError as exc:
        raise _timeout(url, timeout) from exc
    except (OSError, HTTPException) as exc:
        raise KoladaFetchError(f"Kolada kunde inte nås ({url}): {exc}. Inget har sparats.") from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise KoladaFetchError(
            f"Svaret från Kolada är större än {MAX_RESPONSE_BYTES // (1024 * 1024)} MB; "
            "hämta färre år eller nyckeltal åt gången. Inget har sparats."
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KoladaFetchError(
            f"Svaret från Kolada är inte text i UTF-8 ({url}). Inget har sparats."
        ) from exc
    try:
        return loads(text, source=f"Svaret från Kolada ({url})")
    except KoladaFormatError as exc:
        raise KoladaFetchError(f"{exc} Inget har sparats.") from exc


def _timeout(url: str, timeout: float) -> KoladaFetchError:
    return KoladaFetchError(
        f"Kolada svarade inte inom {timeout:g} sekunder ({url}). Försök igen senare. "
        "Inget har sparats."
    )


# --- importing ------------------------------------------------------------------------------


class SkipReason:
    NO_INDICATOR = "no_indicator"
    OTHER_AREA = "other_area"
    MISSING_GENDER = "missing_gender"
    NULL_VALUE = "null_value"
    NO_PLAN_YEAR = "no_plan_year"
    NO_ANNUAL_REPORT = "no_annual_report"
    OUTSIDE_GOAL_YEARS = "outside_goal_years"
    OUT_OF_RANGE = "out_of_range"
    PUBLISHED = "published"
    MANUAL_KEPT = "manual_kept"


@dataclass(frozen=True)
class Skipped:
    reason: str  # one of SkipReason
    message: str  # Swedish, for the user
    kpi: str = ""
    year: int | None = None
    area: str = ""
    indicator: str = ""  # indicator code


@dataclass
class KoladaImportSummary:
    """What one import did. Measurements and Riket's reference values are counted apart."""

    gender: str = DEFAULT_GENDER
    municipality: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reference_created: int = 0
    reference_updated: int = 0
    reference_unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.reference_created or self.reference_updated
        )

    def skipped_for(self, reason: str) -> list[Skipped]:
        return [s for s in self.skipped if s.reason == reason]

    def lines(self) -> list[str]:
        """The summary in Swedish, one line per fact, for the command's output."""
        out = [
            f"Import från Kolada för kommun {self.municipality}, kön {self.gender} "
            f"({GENDERS[self.gender]})."
        ]
        out.append(
            f"Utfall: {_count(self.created, 'nytt', 'nya')}, "
            f"{_count(self.updated, 'ändrat', 'ändrade')}, "
            f"{_count(self.unchanged, 'oförändrat', 'oförändrade')}."
        )
        out.append(
            f"Jämförelsevärden för riket: {_count(self.reference_created, 'nytt', 'nya')}, "
            f"{_count(self.reference_updated, 'ändrat', 'ändrade')}, "
            f"{_count(self.reference_unchanged, 'oförändrat', 'oförändrade')}."
        )
        if self.skipped:
            out.append(f"Hoppades över ({len(self.skipped)}):")
            out.extend(f"  – {s.message}" for s in self.skipped)
        else:
            out.append("Inget hoppades över.")
        out.extend(f"Obs! {w}" for w in self.warnings)
        if self.dry_run:
            out.append("Provkörning: ingenting sparades.")
        elif not self.changed:
            out.append("Ingenting behövde ändras.")
        return out


class _DryRun(Exception):
    pass


def import_values(
    parsed: ParsedResponse,
    *,
    gender: str = DEFAULT_GENDER,
    municipality_id: str | None = None,
    overwrite_manual: bool = False,
    dry_run: bool = False,
    now=None,
) -> KoladaImportSummary:
    """Write outcomes and Riket's values in one transaction; see the module docstring.

    A value is skipped (and reported) when it is null, when the plan year or its
    Verksamhetsberättelse does not exist, when the indicator's goal does not cover the year,
    when the follow-up it belongs to is published, or when it would replace a value a user
    entered (source other than Kolada) and ``overwrite_manual`` is off.
    """
    if gender not in GENDERS:
        raise KoladaError(f"Kön ska vara T, K eller M, inte {gender!r}.")
    municipality_id = municipality_id or settings.KOLADA_MUNICIPALITY_ID
    now = now or timezone.now()
    summary = KoladaImportSummary(
        gender=gender, municipality=municipality_id, warnings=list(parsed.warnings), dry_run=dry_run
    )
    if not parsed.values:
        summary.warnings.append(
            "Svaret från Kolada innehöll inga värden: kontrollera nyckeltal, kommun och år."
        )
    try:
        with transaction.atomic():
            _Importer(parsed, summary, gender, municipality_id, overwrite_manual, now).run()
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


class _Importer:
    def __init__(self, parsed, summary, gender, municipality_id, overwrite_manual, now):
        self.summary = summary
        self.gender = gender
        self.municipality_id = municipality_id
        self.overwrite_manual = overwrite_manual
        self.now = now
        # (kpi, area, year) → {gender: value}
        self.rows: dict[tuple[str, str, int], dict[str, KoladaValue]] = defaultdict(dict)
        for value in parsed.values:
            self.rows[(value.kpi, value.municipality, value.year)][value.gender] = value

    def skip(self, reason, message, **where):
        self.summary.skipped.append(Skipped(reason=reason, message=message, **where))

    def run(self):
        kpis = sorted({kpi for kpi, _, _ in self.rows})
        indicators = defaultdict(list)
        for indicator in (
            Indicator.objects.filter(kolada_kpi__in=kpis)
            .select_related("direction_goal")
            .order_by("code")
        ):
            indicators[indicator.kolada_kpi].append(indicator)
        for kpi in kpis:
            if not indicators[kpi]:
                self.skip(
                    SkipReason.NO_INDICATOR,
                    f"{kpi}: ingen indikator har Kolada-id {kpi}.",
                    kpi=kpi,
                )
        others = sorted({area for _, area, _ in self.rows} - {self.municipality_id, RIKET_ID})
        for area in others:
            self.skip(
                SkipReason.OTHER_AREA,
                f"Kommun {area}: värdena lästes inte in; bara den egna kommunen "
                f"({self.municipality_id}) och riket ({RIKET_ID}) läses in.",
                area=area,
            )
        own_years = {y for k, a, y in self.rows if a == self.municipality_id and indicators[k]}
        self._prepare(own_years, [i for group in indicators.values() for i in group])
        for (kpi, area, year), by_gender in sorted(self.rows.items()):
            if not indicators[kpi] or area not in (self.municipality_id, RIKET_ID):
                continue
            label = f"{kpi} {'riket' if area == RIKET_ID else area} {year}"
            item = by_gender.get(self.gender)
            if item is None:
                self.skip(
                    SkipReason.MISSING_GENDER,
                    f"{label}: Kolada har inget värde för kön {self.gender} "
                    f"({GENDERS[self.gender]}).",
                    kpi=kpi,
                    year=year,
                    area=area,
                )
                continue
            if item.value is None:
                self.skip(
                    SkipReason.NULL_VALUE,
                    f"{label}: värde saknas i Kolada (null).",
                    kpi=kpi,
                    year=year,
                    area=area,
                )
                continue
            value = item.value.quantize(CENT, rounding=ROUND_HALF_UP)
            if abs(value) >= VALUE_LIMIT or not MIN_YEAR <= year <= MAX_YEAR:
                self.skip(
                    SkipReason.OUT_OF_RANGE,
                    f"{label}: värdet eller året ligger utanför det som kan sparas.",
                    kpi=kpi,
                    year=year,
                    area=area,
                )
                continue
            for indicator in indicators[kpi]:
                if area == RIKET_ID:
                    self._reference(indicator, year, value)
                else:
                    self._measurement(indicator, kpi, year, value)

    def _prepare(self, years, indicators):
        self.plan_years = set(
            PlanYear.objects.filter(year__in=years).values_list("year", flat=True)
        )
        self.occasions: dict[int, ReportingOccasion] = {}
        for occasion in (
            ReportingOccasion.objects.filter(
                kind=ReportingOccasion.Kind.ANNUAL_REPORT, plan_year__year__in=years
            )
            .select_related("plan_year")
            .order_by("period_end", "pk")
        ):
            self.occasions[occasion.plan_year.year] = occasion  # the latest one wins
        self.measurements = {
            (m.indicator_id, m.occasion_id): m
            for m in Measurement.objects.filter(
                indicator__in=indicators, occasion__in=self.occasions.values()
            )
        }
        self.published = set(
            Submission.objects.filter(
                occasion__in=self.occasions.values(), state=Submission.State.PUBLISHED
            ).values_list("occasion_id", "org_unit_id")
        )
        self.references = {
            (r.indicator_id, r.year, r.area_code): r
            for r in ReferenceValue.objects.filter(indicator__in=indicators, area_code=RIKET_ID)
        }
        self.reported_years: set[tuple[str, int]] = set()

    def _measurement(self, indicator, kpi, year, value):
        where = {
            "kpi": kpi,
            "year": year,
            "area": self.municipality_id,
            "indicator": indicator.code,
        }
        label = f"{indicator.code} ({kpi}) {year}"
        occasion = self.occasions.get(year)
        if occasion is None:
            if (kpi, year) not in self.reported_years:
                self.reported_years.add((kpi, year))
                if year in self.plan_years:
                    self.skip(
                        SkipReason.NO_ANNUAL_REPORT,
                        f"{kpi} {year}: verksamhetsåret {year} har ingen Verksamhetsberättelse "
                        "att lägga utfallet på.",
                        kpi=kpi,
                        year=year,
                        area=self.municipality_id,
                    )
                else:
                    self.skip(
                        SkipReason.NO_PLAN_YEAR,
                        f"{kpi} {year}: verksamhetsåret {year} finns inte i systemet.",
                        kpi=kpi,
                        year=year,
                        area=self.municipality_id,
                    )
            return
        goal = indicator.direction_goal
        if not goal.covers_year(year):
            self.skip(
                SkipReason.OUTSIDE_GOAL_YEARS,
                f"{label}: inriktningsmålet {goal.code} gäller {goal.valid_from}–"
                f"{goal.valid_to}, inte {year}.",
                **where,
            )
            return
        current = self.measurements.get((indicator.pk, occasion.pk))
        if current is not None and current.value == value:
            self.summary.unchanged += 1
            return
        if (occasion.pk, goal.committee_id) in self.published:
            self.skip(SkipReason.PUBLISHED, self._published_message(label, occasion), **where)
            return
        if (
            current is not None
            and current.source != Measurement.Source.KOLADA
            and not self.overwrite_manual
        ):
            self.skip(
                SkipReason.MANUAL_KEPT,
                f"{label}: utfallet {_sv(current.value)} "
                f"{MANUAL_ORIGIN.get(current.source, 'kommer inte från Kolada')} och behålls; "
                f"Kolada har {_sv(value)}. Ersätt med --overwrite-manual.",
                **where,
            )
            return
        measurement = current or Measurement(indicator=indicator, occasion=occasion)
        measurement.value = value
        measurement.source = Measurement.Source.KOLADA
        measurement.fetched_at = self.now
        measurement._change_reason = CHANGE_REASON
        try:
            measurement.save()
        except PublishedError:
            self.skip(SkipReason.PUBLISHED, self._published_message(label, occasion), **where)
            return
        if current is None:
            self.summary.created += 1
        else:
            self.summary.updated += 1

    @staticmethod
    def _published_message(label, occasion):
        return (
            f"{label}: {occasion.name} {occasion.plan_year.year} är publicerad; "
            "utfallet ändras inte."
        )

    def _reference(self, indicator, year, value):
        current = self.references.get((indicator.pk, year, RIKET_ID))
        if current is not None and current.value == value and current.area_name == RIKET_NAME:
            self.summary.reference_unchanged += 1
            return
        reference = current or ReferenceValue(indicator=indicator, year=year, area_code=RIKET_ID)
        reference.area_name = RIKET_NAME
        reference.value = value
        reference.fetched_at = self.now
        reference._change_reason = CHANGE_REASON
        reference.save()
        if current is None:
            self.summary.reference_created += 1
        else:
            self.summary.reference_updated += 1


MANUAL_ORIGIN = {
    Measurement.Source.MANUAL: "är inmatat för hand",
    Measurement.Source.IMPORT: "är inläst från en fil",
}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _sv(value: Decimal) -> str:
    """12.50 → '12,5' for messages."""
    return format_swedish_number(value)
