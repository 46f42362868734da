"""The PDF reports, read back with pypdf: content in the issue's order, UTKAST, pages, glyphs.

Each document is rendered once per session. The draft gets its content (assessments,
justification, comments, economy, review comments) inside a transaction that is rolled back
once it is printed, so the demo is the same for every other test. The demo's municipality
report for Verksamhetsberättelse 2025 and PNGs of its first pages are left in reports-out/.
"""

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from goals import charts, cycle, notices
from goals.models import Assessment, DirectionGoal, OrgUnit, ReportingOccasion, Submission
from reporting import render
from reporting.data import ReportScopeError
from reporting.kinds import REPORT_KINDS, kind_for_org_unit
from reporting.phrases import number_word, summary_sentence
from reporting.render import RenderedReport, StaticFilesURLFetcher, URLRefused

REPORTS_OUT = Path(settings.BASE_DIR) / "reports-out"

# What the draft says, so that the test can find it in the PDF.
ANALYSIS = "Idéer för läsåret: fler lärare i matematik. <script>alert('x')</script>"
JUSTIFICATION = "Resultaten i matematik har förbättrats mer än indikatorerna visar."
GOAL_COMMENT = "Kommentaren till målet om lärandet, med analysen av utfallet."
MEASUREMENT_COMMENT = "Utfallet gäller vårterminens prov."
REVIEW_COMMENT = "Förtydliga hur prognosen för helåret är gjord."
RETURN_REASON = "Granskningen vill se en tydligare prognos."


@dataclass
class Document:
    rendered: RenderedReport
    pages: list[str]

    @property
    def text(self) -> str:
        return flat(" ".join(self.pages))


def flat(text: str) -> str:
    """The text as a reader sees it: hyphenation undone, lines joined, spaces collapsed."""
    text = text.replace("\u2010\n", "").replace("\u00ad", "")
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", text)


def read(rendered: RenderedReport) -> Document:
    reader = PdfReader(io.BytesIO(rendered.pdf))
    return Document(rendered, [page.extract_text() for page in reader.pages])


def _draft_with_content() -> RenderedReport:
    """Utbildningsnämnden's Tertialrapport 1 2026: filled in, handed in, sent back (UTKAST)."""
    User = get_user_model()
    admin, klk = User.objects.get(username="admin"), User.objects.get(username="klk")
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    un = OrgUnit.objects.get(code="UN")
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    indicator = goal.indicators.get(code="UN-HK-1-1")
    with transaction.atomic(), notices.suppressed():
        try:
            submission = cycle.submission_get_or_create(occasion=occasion, org_unit=un)
            suggestions = cycle.suggestions_for(submission)
            assessments = {
                g.pk: {
                    "level": suggestions.get(g.pk, Assessment.NOT_ASSESSED),
                    "forecast_level": Assessment.PARTLY,
                    "justification": "",
                    "comment": "",
                }
                for g in cycle.goals_for(submission)
            }
            # The indicators suggest Delvis uppfyllt (one of two reached); the committee says
            # Uppfyllt and justifies it.
            assessments[goal.pk] = {
                "level": Assessment.FULFILLED,
                "forecast_level": Assessment.FULFILLED,
                "justification": JUSTIFICATION,
                "comment": GOAL_COMMENT,
            }
            data = cycle.FollowUpInput(
                analysis=ANALYSIS,
                budget_frame_tkr=Decimal("1234567.5"),
                outcome_tkr=Decimal("400000"),
                forecast_tkr=Decimal("1250000"),
                measurements={indicator.pk: (Decimal("93.7"), MEASUREMENT_COMMENT)},
                assessments=assessments,
            )
            submission = cycle.followup_save(
                submission=submission, user=admin, base_version=submission.version, data=data
            )
            submission = cycle.submission_submit(
                submission=submission, user=admin, today=occasion.opens_on
            )
            cycle.comment_add(
                submission=submission, user=klk, text=REVIEW_COMMENT, direction_goal=goal
            )
            cycle.submission_return(submission=submission, user=klk, reason=RETURN_REASON)
            return render.render_report(kind="committee", occasion=occasion, org_unit=un)
        finally:
            transaction.set_rollback(True)


@pytest.fixture(scope="session")
def documents(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        annual = ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")
        plan = ReportingOccasion.objects.get(plan_year__year=2026, name="Verksamhetsplan")
        root = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
        docs = {
            "draft": read(_draft_with_content()),
            "published": read(
                render.render_report(
                    kind="committee", occasion=annual, org_unit=OrgUnit.objects.get(code="KS")
                )
            ),
            "plan": read(
                render.render_report(
                    kind="committee", occasion=plan, org_unit=OrgUnit.objects.get(code="UN")
                )
            ),
            "municipality": read(
                render.render_report(kind="municipality", occasion=annual, org_unit=root)
            ),
        }
    REPORTS_OUT.mkdir(exist_ok=True)
    (REPORTS_OUT / "kommunen-verksamhetsberattelse-2025.pdf").write_bytes(
        docs["municipality"].rendered.pdf
    )
    return docs


def in_order(text: str, markers: list[str]) -> None:
    """Every marker is in the text, each after the one before it."""
    position = 0
    for marker in markers:
        found = text.find(marker, position)
        assert found >= 0, f"{marker!r} saknas efter position {position}: …{text[position:][:300]}"
        position = found + len(marker)


def after_toc(document: Document) -> str:
    text = document.text
    return text[text.index("Teckenförklaring") :]


# --- content and order ------------------------------------------------------------------


def test_the_draft_shows_the_data_in_the_order_of_the_issue(documents):
    doc = documents["draft"]
    text = doc.text
    in_order(text, ["Danderyds kommun", "Tertialrapport 1 2026", "Utbildningsnämnden", "Innehåll"])
    in_order(
        after_toc(doc),
        [
            "Vision och strategiområden",
            "Danderyd – Sveriges bästa kommun att leva, bo och verka i",
            "Hög kvalitet",  # the areas' table
            "Sammanfattning",
            "Måluppfyllelse per strategiområde",
            "Utbildningsnämnden",
            "Verksamhetens uppdrag",
            "Viktiga händelser",
            "Måluppfyllelse",
            "Strategiområde 1",
            "UN-HK-1 Alla barn och elever når så långt som möjligt i sitt lärande.",
            "Övergripande mål: 3. Danderydsborna ska erbjudas en bra och attraktiv service.",
            "Strategier: 1. Hög tillgänglighet, öppen dialog och gott bemötande",
            # indicator table: baseline, previous years, target, outcome, status, comment
            "Andel elever i årskurs 9 som uppnått kunskapskraven i alla ämnen",
            "88 (2022) 89,1 90,4 91 93,7 ● Uppfyllt",
            MEASUREMENT_COMMENT,  # in the Kommentar column
            # assessment, forecast, justification, the goal's analysis
            "Bedömning per 2026-04-30: ● Uppfyllt – Målet är uppfyllt",
            "Prognos helår: ● Uppfyllt – Målet bedöms uppfyllas vid årets slut",
            "Föreslagen bedömning utifrån indikatorerna: ◐ Delvis uppfyllt",
            f"Motivering: {JUSTIFICATION}",
            f"Kommentar: {GOAL_COMMENT}",
            # activities with their status
            "Tidiga insatser i läsning i förskoleklass och årskurs 1",
            "Enebybergs skola",
            "Pågående",
            "Ekonomi",
            "Nettokostnad 1 234 567,5 400 000 1 250 000 \u221215 432,5",
            "Prognosen överskrider budgetramen med 15 432,5 tkr.",
            "Analys och prioriteringar",
            "Idéer för läsåret: fler lärare i matematik. <script>alert('x')</script>",
            "Granskningsstatus",
            "Status: Återsänd",
            "Lämnade in",
            f"Återsände (inlämnad → återsänd) Karin Lind {RETURN_REASON}",
            "Granskningskommentarer",
            f"UN-HK-1 {REVIEW_COMMENT}",
            "Bilaga: Styrkedjans täckning",
            "Inriktningsmål utan aktivitet 2026",
        ],
    )


def test_texts_are_escaped_not_markup(documents):
    html = documents["draft"].rendered.html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_the_municipality_report_has_every_committee_and_both_charts(documents, db):
    doc = documents["municipality"]
    committees = list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE)
        .order_by("tree_id", "lft")
        .values_list("name", flat=True)
    )
    assert len(committees) == 7
    text = after_toc(doc)
    in_order(
        text,
        [
            "Sammanfattning",
            "Av sjutton inriktningsmål bedöms",
            "1. Hög kvalitet",  # the chart per area (SVG text, DejaVu Sans too)
            "5. Stark utveckling",
            *committees,  # the chart per committee
            "Ekonomi per nämnd (mnkr)",
            *committees,  # the committees' chapters
            "Bilaga: Styrkedjans täckning",
        ],
    )
    assert "Måluppfyllelse per strategiområde" in text and "Måluppfyllelse per nämnd" in text
    assert "● Uppfyllt ◐ Delvis uppfyllt ✕ Ej uppfyllt – Ej bedömt" in text  # chart legend
    # The chart is drawn in the document's font, not a serif fallback.
    svg = doc.rendered.html[doc.rendered.html.index("<svg") :]
    svg = svg[: svg.index("</svg>")]
    assert svg.count("<text") == svg.count('font-family="DejaVu Sans, sans-serif"')
    assert doc.rendered.pages >= 15


def test_the_plan_document_has_targets_and_activities_but_no_assessments(documents):
    doc = documents["plan"]
    text = after_toc(doc)
    in_order(
        text,
        [
            "Översikt",
            "Inriktningsmål per strategiområde",
            "Utbildningsnämnden",
            "Uppdrag",
            "UN-HK-1 Alla barn och elever når så långt som möjligt i sitt lärande.",
            "Målvärde 2026",
            "Andel elever i årskurs 9 som uppnått kunskapskraven i alla ämnen",
            "91",
            "Tidiga insatser i läsning i förskoleklass och årskurs 1",
            "Enebybergs skola",
            "Speciallärare",
            "Enheternas aktiviteter",
            "Budgetram",
            "Prioriteringar från föregående års analys",
            "Granskningsstatus",
        ],
    )
    assert "Bedömning" not in text
    assert "Prognos helår" not in text


# --- print conventions --------------------------------------------------------------------


def test_utkast_on_every_page_of_a_draft(documents):
    doc = documents["draft"]
    assert doc.rendered.draft is True
    assert all("UTKAST" in page for page in doc.pages)


@pytest.mark.parametrize("name", ["published", "plan", "municipality"])
def test_no_utkast_on_a_published_report(documents, name):
    doc = documents[name]
    assert doc.rendered.draft is False
    assert "UTKAST" not in doc.text
    assert "innehållets kontrollsumma (sha256)" in doc.pages[0]


@pytest.mark.parametrize("name", ["draft", "published", "plan", "municipality"])
def test_page_x_of_y_and_running_header_on_every_page(documents, name):
    doc = documents[name]
    n = len(doc.pages)
    assert n == doc.rendered.pages
    for number, page in enumerate(doc.pages, start=1):
        assert f"Sida {number} av {n}" in page
    title = doc.rendered.title.split(" – ")[0]
    assert all(title in page for page in doc.pages[1:])


def test_toc_has_page_numbers(documents):
    doc = documents["draft"]
    toc = flat(doc.pages[1])
    chapter = next(
        i for i, page in enumerate(doc.pages, 1) if "Granskningsstatus Status:" in flat(page)
    )
    assert re.search(rf"Granskningsstatus\s*\.+\s*{chapter}\b", toc), toc


def test_no_missing_glyphs_and_swedish_letters_survive(documents):
    draft = documents["draft"]
    text = draft.text
    for char in "åäöéÅÖ–●◐✕":
        assert char in text, char
    for name, doc in documents.items():
        reader = PdfReader(io.BytesIO(doc.rendered.pdf))
        fonts, covered = set(), set()
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                fonts.add(str(font["/BaseFont"]).split("+", 1)[-1])
                descendant = font["/DescendantFonts"][0].get_object()
                data = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
                covered.update(TTFont(io.BytesIO(data)).getBestCmap())
        # Only the shipped font, embedded: no fallback font stood in for a missing glyph.
        assert fonts <= {"DejaVu-Sans", "DejaVu-Sans-Bold"}, (name, fonts)
        missing = {c for c in " ".join(doc.pages) if not c.isspace() and ord(c) not in covered}
        assert not missing, (name, missing)


def test_the_pdf_is_tagged_in_swedish_with_title_and_author(documents):
    reader = PdfReader(io.BytesIO(documents["published"].rendered.pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == "Verksamhetsberättelse 2025 – Kommunstyrelsen"
    assert reader.metadata.author == "Danderyds kommun"


def test_html_declares_language_charset_and_no_flex(documents):
    html = documents["draft"].rendered.html
    assert '<html lang="sv">' in html
    assert '<meta charset="utf-8">' in html
    css = (Path(settings.BASE_DIR) / "static" / "reporting" / "print.css").read_text()
    assert not re.search(r"display:\s*(inline-)?(flex|grid)", css)
    assert "hyphens: auto" in css
    assert "break-inside: avoid" in css and "table-header-group" in css


# --- what WeasyPrint may read -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/",
        "https://example.com/style.css",
        "ftp://example.com/x",
        "file://example.com/etc/passwd",
        f"file://{settings.BASE_DIR}/static/../manage.py",
        f"file://{settings.BASE_DIR}/db.sqlite3",
    ],
)
def test_the_url_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(URLRefused):
        StaticFilesURLFetcher().fetch(url)


def test_the_url_fetcher_serves_the_stylesheet():
    url = (Path(settings.BASE_DIR) / "static" / "reporting" / "print.css").as_uri()
    response = StaticFilesURLFetcher().fetch(url)
    try:
        assert b"@page" in response.read()
        assert response.content_type == "text/css"
    finally:
        response.close()


def test_a_hostile_document_fetches_nothing(monkeypatch):
    def no_network(self, url, headers=None):
        raise AssertionError(f"WeasyPrint tried to open {url}")

    monkeypatch.setattr("weasyprint.urls.URLFetcher.fetch", no_network)
    html = (
        '<html lang="sv"><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="http://example.com/x.css"></head><body>'
        '<img src="file:///etc/passwd"><img src="https://example.com/x.png">'
        "<p>Inget hämtas.</p></body></html>"
    )
    pdf, pages = render.html_to_pdf(html)
    assert pages == 1
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Inget hämtas." in text
    assert "root:" not in text


# --- data, fingerprint, kinds, command --------------------------------------------------------


@pytest.mark.django_db
def test_fingerprint_depends_on_the_data_only():
    occasion = ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")
    ks = OrgUnit.objects.get(code="KS")
    first = render.gather(kind="committee", occasion=occasion, org_unit=ks)
    again = render.gather(kind="committee", occasion=occasion, org_unit=ks)
    assert render.fingerprint(first) == render.fingerprint(again)
    assert re.fullmatch(r"[0-9a-f]{64}", render.fingerprint(first))
    other = render.gather(
        kind="committee", occasion=occasion, org_unit=OrgUnit.objects.get(code="UN")
    )
    assert render.fingerprint(other) != render.fingerprint(first)
    changed = {**first, "committees": [{**first["committees"][0], "analysis": "Ny analys."}]}
    assert render.fingerprint(changed) != render.fingerprint(first)


@pytest.mark.django_db
def test_the_municipality_is_a_draft_until_every_committee_has_published():
    tertial = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    data = render.gather(kind="municipality", occasion=tertial, org_unit=None)
    assert data["status"]["draft"] is True
    published = Submission.objects.filter(occasion=tertial, state="published").count()
    assert data["status"]["published_count"] == published == 3
    assert data["status"]["committee_count"] == 7
    # Utbildningsnämnden has not started its Tertialrapport 1 in the demo.
    un = render.gather(kind="committee", occasion=tertial, org_unit=OrgUnit.objects.get(code="UN"))
    assert un["status"]["draft"] is True
    assert un["committees"][0]["review"]["state_label"] == "Ej påbörjad"
    annual = ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")
    data = render.gather(kind="municipality", occasion=annual, org_unit=None)
    assert data["status"]["draft"] is False
    assert data["status"]["published_on"]


@pytest.mark.django_db
def test_report_kinds_and_scopes():
    assert set(REPORT_KINDS) == {"committee", "municipality"}
    for identifier, kind in REPORT_KINDS.items():
        assert kind.identifier == identifier
        assert kind.title and kind.template.startswith("reporting/")
        assert callable(kind.selector)
    assert kind_for_org_unit(OrgUnit.objects.get(code="UN")).identifier == "committee"
    root = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
    assert kind_for_org_unit(root).identifier == "municipality"
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Verksamhetsplan")
    with pytest.raises(ReportScopeError):
        render.gather(kind="committee", occasion=occasion, org_unit=OrgUnit.objects.get(code="UF"))
    with pytest.raises(ReportScopeError):
        kind_for_org_unit(OrgUnit.objects.get(code="UF-ENS"))


@pytest.mark.django_db
def test_render_report_command(tmp_path):
    occasion = ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")
    fn = OrgUnit.objects.get(code="FN")
    out = tmp_path / "fn.pdf"
    stdout = io.StringIO()
    call_command("render_report", occasion=occasion.pk, org=fn.pk, out=str(out), stdout=stdout)
    assert out.read_bytes().startswith(b"%PDF-")
    assert re.search(
        r"Verksamhetsberättelse 2025 – Fastighetsnämnden: \d+ sidor, [\d.]+ s", stdout.getvalue()
    )


# --- words and charts ---------------------------------------------------------------------------


def test_counts_in_words():
    assert (
        number_word(1) == "ett" and number_word(17) == "sjutton" and number_word(21) == "tjugoett"
    )
    assert (
        summary_sentence({"fulfilled": 6, "partly": 2}, forecast=False)
        == "Av åtta inriktningsmål bedöms sex vara uppfyllda och två delvis uppfyllda."
    )
    assert (
        summary_sentence({"fulfilled": 7, "partly": 4, "not_fulfilled": 1}, forecast=True)
        == "Av tolv inriktningsmål bedöms sju uppfyllas vid årets slut, fyra delvis och ett inte."
    )
    assert summary_sentence({"not_assessed": 3}, forecast=False).startswith("Inget av de tre")


def test_chart_reads_without_colour_and_escapes_labels():
    svg = charts.fulfilment_chart(
        [charts.ChartRow("<b>Nämnd & co</b>", {"fulfilled": 3, "partly": 1, "not_fulfilled": 2})],
        title="Måluppfyllelse",
        chart_id="test",
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "&lt;b&gt;Nämnd &amp; co&lt;/b&gt;" in svg and "<b>" not in svg
    assert "● 3 · ◐ 1 · ✕ 2 (av 6)" in svg  # the counts as text beside the bar
    for word in ("Uppfyllt", "Delvis uppfyllt", "Ej uppfyllt", "Ej bedömt"):
        assert f">{word}</text>" in svg  # the legend has the words, not colour alone
    assert 'style="' not in svg  # presentation attributes only: the site's CSP allows them
    assert svg.count("<text") == svg.count("font-family=")


# --- left for a person to look at ---------------------------------------------------------------


def test_municipality_report_and_pngs_are_left_in_reports_out(documents):
    pdf = REPORTS_OUT / "kommunen-verksamhetsberattelse-2025.pdf"
    assert pdf.read_bytes() == documents["municipality"].rendered.pdf
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm saknas (make poppler installerar poppler-utils): inga PNG-bilder.")
    prefix = REPORTS_OUT / "kommunen-verksamhetsberattelse-2025-sida"
    for old in REPORTS_OUT.glob(f"{prefix.name}-*.png"):
        old.unlink()
    subprocess.run(
        [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "6", str(pdf), str(prefix)],
        check=True,
        timeout=120,
    )
    pngs = sorted(REPORTS_OUT.glob(f"{prefix.name}-*.png"))
    assert len(pngs) == 6
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
