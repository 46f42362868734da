"""Intern kontroll in the browser's HTTP terms: the risk analysis and its matrix, the plan and
its adoption, results at an occasion, and who may do what (goals.permissions)."""

import re

import pytest
from django.urls import reverse

from goals.models import ReportingOccasion
from internal_control.models import Control, ControlPlan, ControlResult, Risk
from quality.models import Deviation

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_committee_page_lists_risks_by_value_and_places_them_in_the_matrix(client_for):
    response = client_for("namnd").get(reverse("ic_committee", args=["UN", 2026]))
    assert response.status_code == 200
    html = response.content.decode()
    risks = list(Risk.objects.filter(committee__code="UN", plan_year__year=2026))
    assert 6 <= len(risks) <= 10
    values = [int(v) for v in re.findall(r'data-label="Riskvärde">.*?</span> (\d+) ', html)]
    assert values == sorted(values, reverse=True) and len(values) == len(risks)
    # The matrix is a table with row and column headers and says the band in words.
    matrix = html[
        html.index('id="riskmatris"') : html.index("</table>", html.index('id="riskmatris"'))
    ]
    assert matrix.count('scope="row"') == 4 and matrix.count('scope="col"') == 4
    assert "Sannolikhet 4 – Sannolik" in matrix and "Konsekvens 4 – Allvarlig" in matrix
    assert "Mycket hög" in matrix
    top = max(risks, key=lambda r: r.risk_value)
    cell_text = f"{top.risk_value} Mycket hög" if top.risk_value >= 12 else str(top.risk_value)
    assert cell_text in _text(response)


def test_risk_created_with_the_value_shown_and_history(client_for, users):
    client = client_for("namnd")
    url = reverse("ic_risk_create", args=["UN", 2026])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": "0",
            "title": "Skolskjuts beställs inte i tid",
            "area": "Skolskjuts",
            "probability": "3",
            "consequence": "2",
            "decision": "control_plan",
        },
    )
    assert response.status_code == 302
    risk = Risk.objects.get(title="Skolskjuts beställs inte i tid")
    assert risk.risk_value == 6 and risk.committee.code == "UN"
    assert risk.history.first().history_user == users["namnd"]
    page = client.get(reverse("ic_committee", args=["UN", 2026]))
    assert "Skolskjuts beställs inte i tid" in page.content.decode()


def test_bad_risk_input_comes_back_with_swedish_errors_and_what_was_typed(client_for):
    response = client_for("namnd").post(
        reverse("ic_risk_create", args=["UN", 2026]),
        {"version": "0", "title": "Min risk", "decision": "handled_otherwise"},
    )
    assert response.status_code == 200
    text = _text(response)
    assert "Välj hur sannolik risken är (1–4)." in text
    assert "Skriv hur risken hanteras när den inte går till planen." in text
    assert 'value="Min risk"' in response.content.decode()
    assert not Risk.objects.filter(title="Min risk").exists()


def test_a_second_risk_with_the_same_title_is_refused_under_the_field(client_for):
    taken = Risk.objects.filter(committee__code="UN", plan_year__year=2026).first()
    response = client_for("namnd").post(
        reverse("ic_risk_create", args=["UN", 2026]),
        {
            "version": "0",
            "title": taken.title,
            "probability": "2",
            "consequence": "2",
            "decision": "accepted",
        },
    )
    assert response.status_code == 200
    assert "Nämnden har redan en risk med den rubriken det året." in _text(response)
    assert (
        Risk.objects.filter(committee__code="UN", plan_year__year=2026, title=taken.title).count()
        == 1
    )


def test_stale_risk_save_answers_409_and_keeps_the_input(client_for):
    risk = Risk.objects.filter(committee__code="UN", plan_year__year=2026).first()
    client = client_for("namnd")
    data = {
        "version": str(risk.version),
        "title": risk.title,
        "probability": "1",
        "consequence": "1",
        "decision": "accepted",
    }
    assert client.post(reverse("ic_risk_edit", args=[risk.pk]), data).status_code == 302
    data["probability"] = "4"
    response = client.post(reverse("ic_risk_edit", args=[risk.pk]), data)
    assert response.status_code == 409
    risk.refresh_from_db()
    assert risk.probability == 1
    assert re.search(r'name="probability" value="4"[^>]*checked', response.content.decode())


def test_risk_pages_follow_the_access_rules(client_for):
    assert (
        client_for("politiker").get(reverse("ic_risk_create", args=["UN", 2026])).status_code == 403
    )
    assert client_for("namnd").get(reverse("ic_risk_create", args=["SN", 2026])).status_code == 404
    assert client_for("namnd").get(reverse("ic_committee", args=["SN", 2026])).status_code == 404
    assert (
        client_for("politiker").get(reverse("ic_committee", args=["SN", 2026])).status_code == 200
    )


def test_carried_risk_keeps_its_link_to_last_year(client_for):
    risk = Risk.objects.filter(committee__code="UN", plan_year__year=2026).first()
    assert risk.carried_from is not None and risk.carried_from.plan_year.year == 2025
    page = client_for("namnd").get(reverse("ic_risk_detail", args=[risk.carried_from.pk]))
    assert (
        "Överförd till" in _text(page)
        and reverse("ic_risk_detail", args=[risk.pk]) in page.content.decode()
    )


def _plan_2025_with_a_control(client):
    risk = Risk.objects.filter(
        committee__code="UN", plan_year__year=2025, decision="control_plan"
    ).first()
    occasion = ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")
    response = client.post(
        reverse("ic_control_create", args=["UN", 2025]),
        {
            "version": "0",
            "risk": str(risk.pk),
            "what": "Att attestlistan stämmer",
            "frequency": "once",
            "occasion": str(occasion.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ControlPlan.objects.get(committee__code="UN", plan_year__year=2025)


def test_adopted_plan_is_locked(client_for):
    client = client_for("namnd")
    plan = _plan_2025_with_a_control(client)
    url = reverse("ic_plan", args=["UN", 2025])
    missing = client.post(url, {"version": str(plan.version), "adopted_by": ""})
    assert missing.status_code == 400
    assert "Skriv vilket organ som antog planen." in _text(missing)
    response = client.post(
        url,
        {
            "version": str(plan.version),
            "adopted_by": "Utbildningsnämnden",
            "adopted_on": "2024-11-20",
            "paragraph": "87",
            "reference": "UN 2024/112",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.is_adopted and plan.paragraph == "87"
    page = _text(client.get(url))
    assert "Antagen av Utbildningsnämnden 2024-11-20, § 87, Dnr UN 2024/112" in page
    control = plan.controls.first()
    refused = client.post(
        reverse("ic_control_edit", args=[control.pk]),
        {
            "version": str(control.version),
            "risk": str(control.risk_id),
            "what": "Ändrat",
            "frequency": "once",
            "occasion": str(control.occasion_id),
        },
    )
    # Refused with 409: what was typed comes back, labelled, to copy; nothing is written.
    assert refused.status_code == 409
    assert "Det du skrev har inte sparats" in _text(refused)
    assert [(t.label, t.value) for t in refused.context["not_saved"]] == [
        ("Vad som kontrolleras", "Ändrat")
    ]
    control.refresh_from_db()
    assert control.what == "Att attestlistan stämmer"


def test_result_with_a_deviation_registers_it_in_the_quality_system(client_for, users):
    client = client_for("namnd")
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Delårsrapport")
    rows_page = client.get(reverse("ic_results", args=["UN", occasion.pk]))
    assert rows_page.status_code == 200
    control = next(
        c
        for c in Control.objects.filter(plan__committee__code="UN", plan__plan_year__year=2026)
        if c.occasion_id == occasion.pk
    )
    url = reverse("ic_result_edit", args=[control.pk, occasion.pk])
    bad = client.post(
        url, {"version": "0", "status": "done", "assessment": "partly", "action": "Ny rutin"}
    )
    assert bad.status_code == 200
    assert "Skriv vem som ansvarar för åtgärden." in _text(bad)
    response = client.post(
        url,
        {
            "version": "0",
            "status": "done",
            "findings": "Två av tio ärenden saknade beslut.",
            "assessment": "partly",
            "deviation_title": "Beslut saknas i ärenden",
            "deviation_description": "Två ärenden saknade beslut.",
            "deviation_severity": "medium",
            "action": "Ny rutin för beslut",
            "action_owner": "Rektor",
            "action_due": "2026-10-31",
        },
    )
    assert response.status_code == 302
    result = ControlResult.objects.get(control=control, occasion=occasion)
    assert result.deviation.title == "Beslut saknas i ärenden"
    assert result.deviation.org_unit.code == "UN"
    assert (
        Deviation.objects.get(pk=result.deviation_id).history.first().history_user == users["namnd"]
    )
    followup = client.get(reverse("followup_edit", args=[occasion.pk, "UN"]))
    text = _text(followup)
    assert "Intern kontroll" in text and "Beslut saknas i ärenden" in text
