"""Outcomes from Kolada: the sample file, the API (mocked and offline), locks and the page."""

import io
import json
import re
from decimal import Decimal
from pathlib import Path
from unittest import mock
from urllib.error import HTTPError

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from goals import kolada
from goals.kolada import SkipReason
from goals.models import Indicator, Measurement, ReferenceValue, ReportingOccasion

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "kolada_sample.json"
KPI = "N15428"
# Utbildningsnämnden: "Andel elever i årskurs 9 som är behöriga till gymnasiet".
# Demo outcomes, typed by hand: 2023 94.6, 2024 95.2, 2025 95.8 (2025 is published).
CODE = "UN-HK-1-2"
BASE = "https://api.kolada.se/v2"


@pytest.fixture
def indicator():
    Indicator.objects.filter(code=CODE).update(kolada_kpi=KPI)
    return Indicator.objects.get(code=CODE)


@pytest.fixture
def without_manual(indicator):
    """The indicator with no outcome yet for 2023 and 2024 (the years not locked)."""
    Measurement.objects.filter(
        indicator=indicator,
        occasion__kind=ReportingOccasion.Kind.ANNUAL_REPORT,
        occasion__plan_year__year__in=[2023, 2024],
    ).delete()
    return indicator


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_kolada", *args, stdout=out)
    return out.getvalue()


def annual(indicator, year) -> Measurement | None:
    return Measurement.objects.filter(
        indicator=indicator,
        occasion__kind=ReportingOccasion.Kind.ANNUAL_REPORT,
        occasion__plan_year__year=year,
    ).first()


def riket(indicator) -> dict[int, Decimal]:
    return dict(
        ReferenceValue.objects.filter(indicator=indicator, area_code="0000").values_list(
            "year", "value"
        )
    )


def snapshot() -> tuple:
    """Everything an import may write, with its history."""
    return (
        sorted(Measurement.objects.values_list("pk", "value", "source", "fetched_at")),
        sorted(ReferenceValue.objects.values_list("pk", "year", "value")),
        Measurement.history.count(),
        ReferenceValue.history.count(),
    )


def import_sample(**kwargs):
    return kolada.import_values(kolada.load_file(SAMPLE), **kwargs)


# --- the sample file -------------------------------------------------------------------------


def test_sample_file_has_kolada_shape_two_pages_and_all_cases():
    pages = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert isinstance(pages, list) and len(pages) == 2
    assert pages[0]["next_page"] and pages[1]["next_page"] is None
    rows = [row for page in pages for row in page["values"]]
    assert {page["count"] for page in pages} == {len(p["values"]) for p in pages}
    assert {r["municipality"] for r in rows} == {"0162", "0000"}
    assert {v["gender"] for r in rows for v in r["values"]} == {"T", "K", "M"}
    assert any(v["value"] is None for r in rows for v in r["values"])
    parsed = kolada.load_file(SAMPLE)
    assert parsed.pages == 2 and parsed.warnings == []


def test_sample_imports_into_the_right_indicator_and_years(without_manual):
    indicator = without_manual
    before = timezone.now()
    summary = import_sample()

    assert (summary.created, summary.updated) == (2, 0)
    m2023, m2024 = annual(indicator, 2023), annual(indicator, 2024)
    assert m2023.value == Decimal("95.00") and m2024.value == Decimal("95.46")
    for m in (m2023, m2024):
        assert m.source == Measurement.Source.KOLADA
        assert m.fetched_at >= before
        assert m.occasion.kind == ReportingOccasion.Kind.ANNUAL_REPORT
    assert m2023.occasion.plan_year.year == 2023 and m2024.occasion.plan_year.year == 2024
    # Only this indicator's outcomes came from Kolada, and only at the Verksamhetsberättelse.
    assert set(
        Measurement.objects.filter(source=Measurement.Source.KOLADA).values_list("pk", flat=True)
    ) == {m2023.pk, m2024.pk}
    assert Measurement.history.filter(history_change_reason="Import från Kolada").count() == 2

    # Riket: every year with a total; 2025's total is null.
    assert riket(indicator) == {
        2022: Decimal("83.10"),
        2023: Decimal("83.50"),
        2024: Decimal("84.00"),
    }
    assert set(ReferenceValue.objects.values_list("area_name", flat=True)) == {"Riket"}
    assert summary.reference_created == 3

    reasons = {(s.reason, s.year) for s in summary.skipped}
    assert (SkipReason.NO_PLAN_YEAR, 2022) in reasons  # the demo starts in 2023
    assert (SkipReason.PUBLISHED, 2025) in reasons
    assert (SkipReason.NULL_VALUE, 2025) in reasons  # Riket's total
    assert [s.kpi for s in summary.skipped_for(SkipReason.NO_INDICATOR)] == ["N01951"]


def test_command_prints_a_swedish_summary(without_manual):
    out = run("--file", str(SAMPLE))
    assert "Utfall: 2 nya, 0 ändrade, 0 oförändrade." in out
    assert "Jämförelsevärden för riket: 3 nya" in out
    assert "verksamhetsåret 2022 finns inte i systemet" in out
    assert "Verksamhetsberättelse 2025 är publicerad" in out
    assert "ingen indikator har Kolada-id N01951" in out
    assert "Importen från Kolada är klar." in out


def test_gender_total_by_default_and_women_when_asked(without_manual):
    indicator = without_manual
    import_sample()
    assert annual(indicator, 2023).value == Decimal("95.00")

    run("--file", str(SAMPLE), "--gender", "K")
    assert annual(indicator, 2023).value == Decimal("96.10")
    assert annual(indicator, 2024).value == Decimal("96.80")
    # Riket follows the same gender; its 2025 value for women exists.
    assert riket(indicator)[2025] == Decimal("85.90")


def test_null_values_are_skipped(without_manual):
    indicator = without_manual
    summary = import_sample(gender="M")
    assert annual(indicator, 2023).value == Decimal("93.90")
    assert annual(indicator, 2024) is None  # men's 2024 value is null in Kolada
    nulls = {(s.area, s.year) for s in summary.skipped_for(SkipReason.NULL_VALUE)}
    assert ("0162", 2024) in nulls
    assert 2025 in riket(indicator)  # men's 2025 for Riket is not null

    summary = import_sample()
    assert ("0000", 2025) in {(s.area, s.year) for s in summary.skipped_for(SkipReason.NULL_VALUE)}


def test_second_import_of_the_same_file_changes_nothing(without_manual):
    run("--file", str(SAMPLE))
    before = snapshot()
    summary = import_sample()
    assert snapshot() == before
    assert (summary.created, summary.updated) == (0, 0)
    assert (summary.reference_created, summary.reference_updated) == (0, 0)
    assert (summary.unchanged, summary.reference_unchanged) == (2, 3)
    assert not summary.changed
    assert "Ingenting behövde ändras." in run("--file", str(SAMPLE))


def test_published_outcome_is_not_overwritten(indicator):
    locked = annual(indicator, 2025)
    assert locked.is_published and locked.value == Decimal("95.80")
    summary = import_sample(overwrite_manual=True)
    locked.refresh_from_db()
    assert locked.value == Decimal("95.80") and locked.source == Measurement.Source.MANUAL
    published = summary.skipped_for(SkipReason.PUBLISHED)
    assert [(s.indicator, s.year) for s in published] == [(CODE, 2025)]
    assert "publicerad" in published[0].message


def test_published_error_on_save_is_caught_and_reported(without_manual):
    """The model's own lock is the last guard, even if the up-front check missed it."""
    with mock.patch.object(Measurement, "save", side_effect=kolada.PublishedError(), autospec=True):
        summary = import_sample()
    assert summary.created == 0
    assert {s.year for s in summary.skipped_for(SkipReason.PUBLISHED)} == {2023, 2024, 2025}
    assert annual(without_manual, 2023) is None


def test_manual_values_are_kept_unless_overwrite_manual(indicator):
    summary = import_sample()
    assert annual(indicator, 2023).value == Decimal("94.60")
    assert annual(indicator, 2023).source == Measurement.Source.MANUAL
    kept = summary.skipped_for(SkipReason.MANUAL_KEPT)
    assert [(s.indicator, s.year) for s in kept] == [(CODE, 2023), (CODE, 2024)]
    assert "94,6" in kept[0].message and "--overwrite-manual" in kept[0].message

    out = run("--file", str(SAMPLE), "--overwrite-manual")
    assert "Utfall: 0 nya, 2 ändrade" in out
    m2023 = annual(indicator, 2023)
    assert m2023.value == Decimal("95.00") and m2023.source == Measurement.Source.KOLADA
    assert m2023.fetched_at is not None


def test_dry_run_writes_nothing(without_manual):
    before = snapshot()
    out = run("--file", str(SAMPLE), "--dry-run")
    assert "Utfall: 2 nya" in out and "Provkörning: ingenting sparades." in out
    assert snapshot() == before


def test_a_failure_halfway_leaves_nothing_behind(without_manual):
    """One transaction: Riket's values (written first) go too when an outcome fails."""
    before = snapshot()
    original = Measurement.save
    calls = []

    def second_call_fails(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    with (
        mock.patch.object(Measurement, "save", second_call_fails),
        pytest.raises(RuntimeError),
    ):
        import_sample()
    assert snapshot() == before


def test_another_municipality_is_refused(indicator):
    before = snapshot()
    with pytest.raises(CommandError, match="KOLADA_MUNICIPALITY_ID=0162"):
        run("--file", str(SAMPLE), "--municipality", "0180")
    assert snapshot() == before


# --- malformed files -------------------------------------------------------------------------


def page(rows, next_page=None) -> dict:
    return {"count": len(rows), "values": rows, "next_page": next_page}


def row(value=12.5, municipality="0162", period=2023, kpi=KPI, gender="T") -> dict:
    return {
        "kpi": kpi,
        "municipality": municipality,
        "period": period,
        "values": [{"gender": gender, "status": "", "value": value, "count": 1}],
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ inte json", "är inte giltig JSON (rad 1"),
        ("", "är inte giltig JSON"),
        (json.dumps({"count": 1}), 'nyckeln "values" saknas'),
        (json.dumps([]), "ska vara ett objekt"),
        (json.dumps(page([row(value="12,5")])), '"value" ska vara ett tal eller null'),
        (json.dumps(page([row(municipality=162)])), '"municipality" ska vara ett kommun-id'),
        (json.dumps(page([row(period="2023-01")])), '"period" ska vara ett årtal'),
        (json.dumps(page([row(gender="X")])), '"gender" ska vara T, K eller M'),
        (json.dumps(page([row(kpi="n15428")])), '"kpi" ska vara ett Kolada-id'),
        ('{"count": 1, "values": [], "x": NaN}', "som inte är ett tal"),
        # The first page is fine; the second is broken: nothing of the first is written.
        (json.dumps([page([row()], "next"), page([{"kpi": KPI}])]), "Fel i sida 2, post 1"),
        (
            json.dumps(page([row(value=1.0), row(value=2.0)])),
            "förekommer två gånger med olika värden",
        ),
    ],
)
def test_malformed_file_gives_a_swedish_error_and_writes_nothing(
    tmp_path, indicator, content, message
):
    path = tmp_path / "svar.json"
    path.write_text(content, encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as error:
        run("--file", str(path))
    assert message in str(error.value)
    assert snapshot() == before


def test_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="finns inte"):
        run("--file", str(tmp_path / "saknas.json"))


def test_single_page_file_and_a_missing_last_page_is_warned_about(tmp_path, without_manual):
    path = tmp_path / "en-sida.json"
    path.write_text(json.dumps(page([row(95.0)], f"{BASE}/data?page=2")), encoding="utf-8")
    out = run("--file", str(path))
    assert annual(without_manual, 2023).value == Decimal("95.00")
    assert "fler sidor finns (next_page), men de finns inte med" in out


# --- the API ---------------------------------------------------------------------------------


class FakeKolada:
    """Stands in for urllib's urlopen: answers each URL from a dict, records the calls."""

    def __init__(self, answers: dict[str, object]):
        self.answers = answers
        self.calls: list[tuple[str, float]] = []

    def __call__(self, request, timeout=None):
        url = request.full_url
        self.calls.append((url, timeout))
        answer = self.answers[url]
        if isinstance(answer, Exception):
            raise answer
        return io.BytesIO(json.dumps(answer).encode())


def sample_pages() -> list[dict]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@override_settings(KOLADA_BASE_URL=BASE, KOLADA_TIMEOUT_SECONDS=7)
def test_api_call_follows_next_page_and_fetches_riket(without_manual):
    first, second = sample_pages()
    url = f"{BASE}/data/kpi/{KPI}/municipality/0162,0000/year/2023,2024,2025"
    fake = FakeKolada({url: first, first["next_page"]: second})
    with mock.patch("goals.kolada.urlopen", fake):
        out = run(
            "--kpi",
            KPI,
            "--municipality",
            "0162",
            "--year",
            "2023",
            "--year",
            "2024,2025",
            "--with-riket",
        )
    assert fake.calls == [(url, 7), (first["next_page"], 7)]
    assert annual(without_manual, 2024).value == Decimal("95.46")
    assert riket(without_manual)[2023] == Decimal("83.50")
    assert "Utfall: 2 nya" in out


@override_settings(KOLADA_BASE_URL=BASE)
def test_api_call_without_riket_asks_only_for_the_municipality(indicator):
    url = f"{BASE}/data/kpi/{KPI}/municipality/0162/year/2024"
    fake = FakeKolada({url: page([row(95.2, period=2024)])})
    with mock.patch("goals.kolada.urlopen", fake):
        run("--kpi", KPI, "--year", "2024")
    assert [u for u, _ in fake.calls] == [url]


@override_settings(KOLADA_BASE_URL="http://127.0.0.1:9")
def test_offline_run_fails_cleanly_and_writes_nothing(indicator):
    before = snapshot()
    with pytest.raises(CommandError) as error:
        run("--kpi", KPI, "--municipality", "0162", "--year", "2023", "--with-riket")
    message = str(error.value)
    assert "Kolada kunde inte nås" in message and "Inget har sparats." in message
    assert snapshot() == before


@override_settings(KOLADA_BASE_URL=BASE)
@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (HTTPError(f"{BASE}/x", 503, "Service Unavailable", None, None), "HTTP-fel 503"),
        (TimeoutError("timed out"), "svarade inte inom"),
    ],
)
def test_http_errors_and_timeouts_fail_cleanly(indicator, failure, message):
    first = sample_pages()[0]
    url = f"{BASE}/data/kpi/{KPI}/municipality/0162/year/2023"
    # The first page arrives, the second fails: nothing of the first is written either.
    fake = FakeKolada({url: first, first["next_page"]: failure})
    before = snapshot()
    with mock.patch("goals.kolada.urlopen", fake), pytest.raises(CommandError) as error:
        run("--kpi", KPI, "--year", "2023")
    assert message in str(error.value) and "Inget har sparats." in str(error.value)
    assert snapshot() == before


@override_settings(KOLADA_BASE_URL=BASE)
def test_next_page_elsewhere_is_not_followed(indicator):
    url = f"{BASE}/data/kpi/{KPI}/municipality/0162/year/2023"
    fake = FakeKolada({url: page([row()], "https://evil.example/data?page=2")})
    with mock.patch("goals.kolada.urlopen", fake), pytest.raises(CommandError, match="annan"):
        run("--kpi", KPI, "--year", "2023")
    assert len(fake.calls) == 1


@override_settings(KOLADA_BASE_URL=BASE)
def test_next_page_on_the_same_host_is_fetched_over_https(without_manual):
    url = f"{BASE}/data/kpi/{KPI}/municipality/0162/year/2023,2024"
    insecure = "http://api.kolada.se/v2/data/kpi/N15428/municipality/0162/year/2023,2024?page=2"
    fake = FakeKolada(
        {
            url: page([row(95.0, period=2023)], insecure),
            insecure.replace("http:", "https:", 1): page([row(95.5, period=2024)]),
        }
    )
    with mock.patch("goals.kolada.urlopen", fake):
        run("--kpi", KPI, "--year", "2023,2024")
    assert len(fake.calls) == 2
    assert annual(without_manual, 2024).value == Decimal("95.50")


@override_settings(KOLADA_BASE_URL=BASE)
def test_an_empty_answer_is_reported(indicator):
    url = f"{BASE}/data/kpi/{KPI}/municipality/0162/year/2019"
    with mock.patch("goals.kolada.urlopen", FakeKolada({url: page([])})):
        out = run("--kpi", KPI, "--year", "2019")
    assert "innehöll inga värden" in out and "Ingenting behövde ändras." in out


@override_settings(KOLADA_BASE_URL="api.kolada.se/v2")
def test_a_base_url_without_scheme_is_explained(indicator):
    with pytest.raises(CommandError, match="ingen http- eller https-adress"):
        run("--kpi", KPI, "--year", "2023")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kpi", "N1542"], "Ogiltigt Kolada-id"),
        (["--kpi", KPI, "--year", "23"], "Ogiltigt år"),
        (["--file", str(SAMPLE), "--with-riket"], "gäller bara hämtning med --kpi"),
    ],
)
def test_wrong_arguments_are_explained(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


# --- the indicator page ----------------------------------------------------------------------


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_indicator_page_shows_kolada_source_fetched_date_and_riket(client_for, without_manual):
    import_sample()
    fetched = timezone.localtime(annual(without_manual, 2023).fetched_at).date().isoformat()
    response = client_for("namnd").get(reverse("chain_indicator", args=[without_manual.pk]))
    assert response.status_code == 200
    text = text_of(response)
    assert "Hämtat" in text and fetched in text
    assert re.search(r"Verksamhetsberättelse 2023 \S+ 95 Kolada " + fetched, text), text
    assert "Jämförelse med riket" in text
    assert "Källa: Kolada (N15428), hämtat " + fetched in text
    # Year, Danderyd's outcome, Riket's value.
    assert "2023 95 83,5" in text
    assert "2024 95,46 84" in text
    assert "2022 – 83,1" in text  # Riket only: the demo has no 2022
    assert "2025 95,8 –" in text  # Danderyd's published outcome; Riket's total is null


def test_indicator_page_without_kolada_has_no_comparison(client_for, indicator):
    response = client_for("namnd").get(reverse("chain_indicator", args=[indicator.pk]))
    text = text_of(response)
    assert "Jämförelse med riket" not in text
    assert "Hämtat" in text  # the column is there; manual rows show a dash
