"""The PDF keeps user text with bidi controls (U+202E …) to itself (core/bidi.py).

WeasyPrint ignores `unicode-bidi` but shapes each element's text apart, so the <bdi> the
templates put around user text ends an override where the user text ends. Read back with
pypdf, the glyphs come in the order they are drawn: "exe.png (Utbildningsnämnden)" where an
unisolated override would print ")nednmänsgnidlibtU( exe.png".
"""

import io
import re

import pytest
from pypdf import PdfReader

from goals.models import DirectionGoal, OrgUnit, ReportingOccasion
from reporting import render

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


def drawn_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_a_committee_report_keeps_a_hostile_goal_title_to_itself():
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    DirectionGoal.objects.filter(pk=goal.pk).update(title=f"Trygga skolvägar {RLO}gnp.exe")
    # A goal without indicators: the appendix says so in a sentence after its title.
    DirectionGoal.objects.create(
        committee=goal.committee,
        strategic_area=goal.strategic_area,
        code="UN-BIDI-1",
        title=f"Ny {RLO}gnp.exe",
        valid_from=2026,
        valid_to=2026,
    )
    # Not yet handed in, so printed from the live data (a published one is frozen).
    tertial = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    rendered = render.render_report(
        kind="committee", occasion=tertial, org_unit=OrgUnit.objects.get(code="UN")
    )
    assert (
        f'<span class="code">UN-HK-1</span> <bdi>Trygga skolvägar {RLO}gnp.exe</bdi></h4>'
        in rendered.html
    )
    assert (
        f'<span class="code">UN-BIDI-1</span> <bdi>Ny {RLO}gnp.exe</bdi> '
        "(<bdi>Utbildningsnämnden</bdi>)</li>"
    ) in rendered.html
    text = drawn_text(rendered.pdf)
    # The override turns the title's own letters, and nothing after them.
    assert "UN-HK-1 Trygga skolvägar exe.png" in text
    assert "UN-BIDI-1 Ny exe.png (Utbildningsnämnden)" in text
    assert "nednmänsgnidlibtU" not in text


def test_weasyprint_isolates_by_element_not_by_unicode_bidi():
    """What the templates rely on, printed with the report stylesheet."""

    def printed(body: str) -> str:
        html = (
            '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
            f'<link rel="stylesheet" href="reporting/print.css"></head><body>{body}</body></html>'
        )
        return drawn_text(render.html_to_pdf(html)[0])

    assert "Fil: )5202( exe.png" in printed(f"<p>Fil: {RLO}gnp.exe (2025)</p>")
    assert "Fil: exe.png (2025)" in printed(f"<p>Fil: <bdi>{RLO}gnp.exe</bdi> (2025)</p>")
