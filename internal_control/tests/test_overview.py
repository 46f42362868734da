"""/internkontroll/: kommunstyrelsen's view of every committee, scoped like everything else,
at a fixed number of queries."""

import re

import pytest
from django.urls import reverse

from goals.models import OrgUnit

pytestmark = pytest.mark.django_db

COMMITTEES = [
    "Kommunstyrelsen",
    "Utbildningsnämnden",
    "Socialnämnden",
    "Kultur- och fritidsnämnden",
    "Miljö- och hälsoskyddsnämnden",
    "Byggnadsnämnden",
    "Fastighetsnämnden",
]


def _rows(html: str) -> list[str]:
    table = html[html.index('id="planer"') : html.index('id="resultat"')]
    return re.findall(r'<th scope="row" data-label="Nämnd"><a [^>]*>([^<]+)</a>', table)


def test_central_office_sees_every_committee_with_plan_state_and_results(client_for):
    response = client_for("klk").get(reverse("ic_overview") + "?ar=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(_rows(html)) == sorted(COMMITTEES)
    assert html.count("Antagen</span> 2025-11-20") == len(COMMITTEES)
    # The deviations found at Tertialrapport 1 are listed with their committee.
    t1 = html[html.index("Tertialrapport 1 2026") : html.index("Delårsrapport 2026")]
    assert t1.count("Exempel: brister i kontrollen") == 3


def test_committee_staff_see_only_their_committee(client_for):
    html = client_for("namnd").get(reverse("ic_overview") + "?ar=2026").content.decode()
    assert _rows(html) == ["Utbildningsnämnden"]


def test_outsider_sees_no_committee(client_for):
    html = client_for("outsider").get(reverse("ic_overview")).content.decode()
    assert "Det finns inga nämnder att visa" in html


@pytest.mark.parametrize(
    "name",
    ["ic_overview", "ic_committee", "ic_plan", "ic_results"],
)
def test_pages_list_at_a_fixed_number_of_queries(client_for, django_assert_max_num_queries, name):
    from goals.models import ReportingOccasion

    args = {
        "ic_overview": [],
        "ic_committee": ["SN", 2026],
        "ic_plan": ["SN", 2026],
        "ic_results": [
            "SN",
            ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1").pk,
        ],
    }[name]
    assert OrgUnit.objects.filter(kind="committee").count() >= 7
    client = client_for("klk")
    client.get(reverse(name, args=args))
    with django_assert_max_num_queries(16):
        assert client.get(reverse(name, args=args)).status_code == 200
