"""Every page under /kvalitet/, for every persona and an outsider, answers as expected.

The quality URL patterns are enumerated from the URLconf, as goals/tests/test_url_access.py
does for the rest of the project: a new view without a case here fails the first test.
"""

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from goals.models import Indicator
from quality.models import Deviation, IndicatorMove, QualityControl

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "admin", "klk", "namnd", "enhet", "politiker", "outsider"]
EDITORS = {"admin", "namnd", "enhet"}
LOGGED_IN = set(PERSONAS) - {"anonymous"}

# Written out per unit on purpose, not derived from the permission code under test.
SEES = {
    "UF-ENS": {"admin", "klk", "politiker", "namnd", "enhet"},
    "SF-AO-HT": {"admin", "klk", "politiker"},
    "MHK-LIV": {"admin", "klk", "politiker"},
}
EDITS = {"UF-ENS": {"admin", "namnd", "enhet"}, "SF-AO-HT": {"admin"}, "MHK-LIV": {"admin"}}
# A committee's indicators are seen from above and below it, changed by its editors.
SEES_COMMITTEE = {
    "UN": {"admin", "klk", "politiker", "namnd", "enhet"},
    "SN": {"admin", "klk", "politiker"},
}
EDITS_COMMITTEE = {"UN": {"admin", "namnd"}, "SN": {"admin"}}


@dataclass
class Case:
    kwargs: dict
    kind: str  # login, editor, view, edit, post_only
    who: set[str] | None = None
    editors: set[str] | None = None


def _cases() -> dict[str, list[Case]]:
    control = {
        u: QualityControl.objects.filter(org_unit__code=u, source_indicator=None).first()
        for u in ("UF-ENS", "SF-AO-HT")
    }
    deviation = {u: Deviation.objects.get(org_unit__code=u) for u in ("UF-ENS", "SF-AO-HT")}
    indicator = {"UN": Indicator.objects.get(code="UN-HK-1-1")}
    indicator["SN"] = Indicator.objects.get(code="SN-HK-1-1")
    move = IndicatorMove.objects.get(indicator__code="MHN-SU-1-1")
    per_unit = lambda kind, objs: [  # noqa: E731
        Case({"pk": objs[u].pk}, kind, SEES[u], EDITS[u]) for u in objs
    ]
    return {
        "overview": [Case({}, "login")],
        "control_create": [Case({}, "editor")],
        "deviation_create": [Case({}, "editor")],
        "control_detail": per_unit("view", control),
        "control_edit": per_unit("edit", control),
        "measurement_create": per_unit("edit", control),
        "measurement_edit": [
            Case({"pk": control[u].measurements.first().pk}, "edit", SEES[u], EDITS[u])
            for u in control
        ],
        "deviation_detail": per_unit("view", deviation),
        "deviation_edit": per_unit("edit", deviation),
        "deviation_lift": per_unit("edit", deviation),
        "indicator_move": [
            Case({"pk": indicator[c].pk}, "edit", SEES_COMMITTEE[c], EDITS_COMMITTEE[c])
            for c in indicator
        ],
        "move_reverse": [Case({"pk": move.pk}, "post_only", SEES["MHK-LIV"])],
    }


def _expected(case: Case, persona: str) -> int:
    if persona == "anonymous":
        return 302
    if case.kind == "login":
        return 200
    if case.kind == "editor":
        return 200 if persona in EDITORS else 403
    sees = persona in case.who
    if case.kind == "view":
        return 200 if sees else 404
    if case.kind == "post_only":
        return 405 if sees else 404
    if case.kind == "edit":
        return 200 if persona in case.editors else (403 if sees else 404)
    raise AssertionError(case.kind)


def _quality_names() -> list[str]:
    resolver = next(
        p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "quality"
    )
    return sorted(p.name for p in resolver.url_patterns if isinstance(p, URLPattern))


def test_every_quality_url_pattern_has_a_case():
    assert sorted(_cases()) == _quality_names()


@pytest.mark.parametrize("persona", PERSONAS)
def test_quality_urls_answer_as_expected_for_persona(persona, users):
    client = Client()
    if persona != "anonymous":
        client.force_login(users[persona])
    wrong = []
    for name, cases in _cases().items():
        for case in cases:
            url = reverse(f"quality:{name}", kwargs=case.kwargs)
            response = client.get(url)
            expected = _expected(case, persona)
            if response.status_code != expected:
                wrong.append(f"{url} ({name}): {response.status_code}, expected {expected}")
            elif expected == 302 and not response["Location"].startswith("/accounts/login/"):
                wrong.append(f"{url}: anonymous sent to {response['Location']}, not to login")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


def test_kvalitet_is_in_the_navigation(client_for):
    page = client_for("politiker").get(reverse("start")).content.decode()
    assert f'href="{reverse("quality:overview")}"' in page and ">Kvalitet<" in page


def test_the_overview_lists_only_the_users_subtree_and_filters(client_for):
    page = client_for("enhet").get(reverse("quality:overview")).content.decode()
    assert "Frånvaromeddelanden till vårdnadshavare skickades inte" in page  # Enebybergs skola
    assert "Ett planerat lunchbesök uteblev" not in page  # hemtjänsten, outside the subtree
    everything = client_for("klk").get(reverse("quality:overview")).content.decode()
    assert "Ett planerat lunchbesök uteblev" in everything
    closed = client_for("klk").get(reverse("quality:overview"), {"status": "closed"})
    text = closed.content.decode()
    assert "Ett planerat lunchbesök uteblev" in text
    assert "Frånvaromeddelanden till vårdnadshavare skickades inte" not in text
    one_unit = client_for("klk").get(reverse("quality:overview"), {"enhet": "KFF-BIB"})
    text = one_unit.content.decode()
    assert "Hissen till barnavdelningen ur funktion i tre dagar" in text
    assert "Ett planerat lunchbesök uteblev" not in text
    # A unit outside the subtree cannot be asked for.
    assert client_for("enhet").get(reverse("quality:overview"), {"enhet": "SF"}).status_code == 404


def test_the_overview_makes_the_same_number_of_queries_whatever_the_amount(client_for, users):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from goals.models import OrgUnit

    client = client_for("klk")
    url = reverse("quality:overview")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    unit = OrgUnit.objects.get(code="UF-FRI")
    for n in range(5):
        control = QualityControl.objects.create(
            org_unit=unit, name=f"Kontroll {n}", owner=users["namnd"]
        )
        control.measurements.create(measured_on=datetime.date(2026, 5, 1), value=n)
        Deviation.objects.create(
            org_unit=unit,
            occurred_on=datetime.date(2026, 5, 1),
            title=f"Avvikelse {n}",
            description="Exempel.",
            reported_by=users["namnd"],
        )
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert "Kontroll 4" in html and "Avvikelse 4" in html
    assert len(after) == len(before)
