"""The committee report carries "Risker och intern kontroll"; the municipality report a
summary of every committee's (HTML of the report; the PDF is printed from it)."""

import re

import pytest
from django.utils import timezone

from goals.models import OrgUnit, ReportingOccasion
from reporting import render

pytestmark = pytest.mark.django_db


def _html(kind: str, occasion, unit) -> str:
    data = render.gather(kind=kind, occasion=occasion, org_unit=unit)
    html = render.render_html(kind=kind, data=data, generated_at=timezone.now())
    return re.sub(r"\s+", " ", html)


def test_committee_report_shows_matrix_controls_results_and_deviation():
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    html = _html("committee", occasion, OrgUnit.objects.get(code="SN"))
    assert "Risker och intern kontroll" in html
    section = html[html.index('id="namnd-sn-intern-kontroll"') :]
    assert "Internkontrollplanen antogs av Socialnämnden 2025-11-20, § 12" in section
    assert "Riskmatris" in section and "Sannolikhet 4 – Sannolik" in section
    assert "Genomförd" in section
    assert "Exempel: brister i kontrollen av" in section
    assert "Åtgärd: Exempel: rutinen gås igenom på nästa arbetsplatsträff." in section
    assert "● Uppfyllt" in section or "◐ Delvis uppfyllt" in section


def test_municipality_report_summarises_every_committee():
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    html = _html("municipality", occasion, OrgUnit.objects.get(code="DK"))
    summary = html[html.index('id="intern-kontroll"') :]
    for name in ("Socialnämnden", "Byggnadsnämnden", "Utbildningsnämnden"):
        assert f'<th scope="row">{name}</th><td>Antagen 2025-11-20</td>' in summary
    assert "Avvikelser och åtgärder" in summary
    assert "Socialnämnden: Exempel: brister" in summary
