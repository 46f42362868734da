"""The quality forms: Swedish errors under the field with the input kept, no lost updates."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from goals.models import OrgUnit
from goals.selectors import history_entries
from quality.models import Deviation, QualityControl, QualityMeasurement

pytestmark = pytest.mark.django_db


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def deviation_data(**changes) -> dict:
    data = {
        "version": "0",
        "org_unit": unit("UF-ENS").pk,
        "occurred_on": "2026-04-14",
        "title": "Skolskjutsen kom inte",
        "description": "Tre elever väntade en timme vid hållplatsen.",
        "severity": "medium",
        "status": "registered",
    }
    data.update(changes)
    return data


def test_a_unit_head_registers_a_deviation_with_history(client_for):
    response = client_for("enhet").post(reverse("quality:deviation_create"), deviation_data())
    deviation = Deviation.objects.get(title="Skolskjutsen kom inte")
    assert response.status_code == 302 and response["Location"] == deviation.get_absolute_url()
    assert deviation.reported_by.username == "enhet" and deviation.version == 1
    assert deviation.occurred_on == datetime.date(2026, 4, 14)
    page = client_for("enhet").get(deviation.get_absolute_url()).content.decode()
    assert "Eva Holm" in page and "Skapad" in page


def test_deviation_errors_are_swedish_and_keep_what_was_typed(client_for):
    response = client_for("enhet").post(
        reverse("quality:deviation_create"),
        deviation_data(
            occurred_on="14 april", description="", title="Min rubrik som ska finnas kvar"
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-04-30." in html
    assert "Beskriv vad som hände." in html
    assert 'id="felsammanfattning"' in html and 'aria-invalid="true"' in html
    assert "Min rubrik som ska finnas kvar" in html and 'value="14 april"' in html
    assert not Deviation.objects.filter(title="Min rubrik som ska finnas kvar").exists()


def test_a_future_date_and_a_unit_outside_the_users_rights_are_refused(client_for):
    future = client_for("enhet").post(
        reverse("quality:deviation_create"), deviation_data(occurred_on="2099-01-01")
    )
    assert "Datumet kan inte ligga i framtiden." in future.content.decode()
    elsewhere = client_for("enhet").post(
        reverse("quality:deviation_create"), deviation_data(org_unit=unit("SF-AO-HT").pk)
    )
    assert elsewhere.status_code == 200
    assert "du kan bara välja enheter du ansvarar för" in elsewhere.content.decode()
    assert not Deviation.objects.filter(title="Skolskjutsen kom inte").exists()


def test_two_users_editing_one_deviation_lose_nothing(users):
    deviation = Deviation.objects.get(org_unit__code="UF-ENS")
    url = reverse("quality:deviation_edit", args=[deviation.pk])
    first, second = Client(), Client()
    first.force_login(users["enhet"])
    second.force_login(users["namnd"])
    version = deviation.version
    base = {
        "version": str(version),
        "org_unit": deviation.org_unit_id,
        "occurred_on": deviation.occurred_on.isoformat(),
        "title": deviation.title,
        "description": deviation.description,
        "severity": deviation.severity,
    }
    assert first.post(url, {**base, "status": "closed"}).status_code == 302
    response = second.post(
        url, {**base, "status": "investigating", "title": "Andra användarens rubrik"}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Andra användarens rubrik" in html  # the second user's input is kept
    assert "Eva Holm" in html and "Avslutad" in html  # and what changed meanwhile, by whom
    deviation.refresh_from_db()
    assert deviation.status == "closed" and deviation.title != "Andra användarens rubrik"
    # Saving once more after seeing the change is a deliberate choice and goes through.
    again = {**base, "status": "investigating", "title": "Andra användarens rubrik"}
    again["version"] = str(response.context["form"]["version"].value())
    assert second.post(url, again).status_code == 302
    deviation.refresh_from_db()
    assert deviation.title == "Andra användarens rubrik" and deviation.version == version + 2


def test_a_control_and_its_measurements_in_swedish_numbers(client_for):
    client = client_for("namnd")
    response = client.post(
        reverse("quality:control_create"),
        {
            "version": "0",
            "org_unit": unit("UF-FRI").pk,
            "name": "Andel skolmåltider som serveras enligt näringsrekommendationerna",
            "frequency": "monthly",
            "unit_of_measure": "%",
            "higher_is_better": "1",
            "active": "on",
        },
    )
    control = QualityControl.objects.get(name__startswith="Andel skolmåltider")
    assert response.status_code == 302 and control.org_unit.code == "UF-FRI"
    url = reverse("quality:measurement_create", args=[control.pk])
    bad = client.post(
        url, {"version": "0", "measured_on": "2026-05-31", "value": "tolv", "comment": "Maj"}
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and "Skriv ett tal, till exempel 1 234,5." in html
    assert 'value="tolv"' in html and "Maj" in html
    good = client.post(
        url,
        {
            "version": "0",
            "measured_on": "2026-05-31",
            "period_label": "Maj 2026",
            "value": "1 234,5",
        },
    )
    assert good.status_code == 302
    measurement = QualityMeasurement.objects.get(control=control)
    assert str(measurement.value) == "1234.50" and measurement.registered_by.username == "namnd"
    page = client.get(control.get_absolute_url()).content.decode()
    assert "1\u00a0234,5" in page and "Maj 2026" in page  # no-break space, as everywhere
    assert history_entries(measurement)[0].who == "Nils Ek"


def test_a_reader_cannot_post_a_deviation(client_for):
    response = client_for("politiker").post(reverse("quality:deviation_create"), deviation_data())
    assert response.status_code == 403
    assert not Deviation.objects.filter(title="Skolskjutsen kom inte").exists()


def test_the_quality_demo_loads_again_without_changes():
    from quality.demo import load_quality_demo

    counts = [m.history.count() for m in (QualityControl, QualityMeasurement, Deviation)]
    load_quality_demo()
    assert [m.history.count() for m in (QualityControl, QualityMeasurement, Deviation)] == counts


def test_a_lifted_deviation_keeps_its_unit(client_for, users):
    """Its activity is in the unit's plan: the edit form shows the unit locked and a posted
    other unit is ignored, while the rest of the edit is saved."""
    from goals.models import DirectionGoal
    from quality.services import deviation_lift_to_plan

    deviation = Deviation.objects.get(org_unit__code="UF-ENS")
    deviation_lift_to_plan(
        deviation=deviation,
        direction_goal=DirectionGoal.objects.get(code="UN-HK-2"),
        acting_user=users["namnd"],
    )
    deviation.refresh_from_db()
    url = reverse("quality:deviation_edit", args=[deviation.pk])
    client = client_for("namnd")
    page = client.get(url).content.decode()
    assert "byter inte enhet" in page
    select = re.search(r'<select name="org_unit"[^>]*>', page).group()
    assert " disabled" in select and 'aria-describedby="id_org_unit_hjalp"' in select
    data = deviation_data(
        version=str(deviation.version),
        org_unit=unit("UF-FRI").pk,
        title="Skolskjutsen kom inte i tid",
    )
    assert client.post(url, data).status_code == 302
    deviation.refresh_from_db()
    assert deviation.org_unit.code == "UF-ENS"
    assert deviation.title == "Skolskjutsen kom inte i tid"
    assert deviation.activity.plan.org_unit.code == "UF-ENS"


def test_an_inactive_control_takes_no_new_measurement(client_for):
    control = QualityControl.objects.filter(org_unit__code="UF-ENS", source_indicator=None).first()
    control.active = False
    control.save()
    count = control.measurements.count()
    client = client_for("namnd")
    url = reverse("quality:measurement_create", args=[control.pk])
    data = {"version": "0", "measured_on": "2026-03-01", "value": "12,5"}
    for response in (client.get(url, follow=True), client.post(url, data, follow=True)):
        assert response.redirect_chain[-1][0] == control.get_absolute_url()
        assert "Kontrollen är inaktiv. Aktivera den" in response.content.decode()
    assert control.measurements.count() == count


def test_a_moved_indicators_control_is_not_deactivated_behind_the_move(client_for):
    """Deactivated while the move stands, the indicator would be followed up nowhere: the
    error is under the field with the typed name kept, and nothing is saved."""
    from quality.models import IndicatorMove

    move = IndicatorMove.objects.get(indicator__code="MHN-SU-1-1", reversed_at=None)
    control = move.control
    url = reverse("quality:control_edit", args=[control.pk])
    data = {
        "version": str(control.version),
        "org_unit": control.org_unit_id,
        "name": "Nytt namn på kontrollen",
        "frequency": control.frequency,
        "unit_of_measure": control.unit_of_measure,
        "higher_is_better": "1" if control.higher_is_better else "0",
    }  # "active" left out: the box unticked
    client = client_for("admin")
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "kan inte avaktiveras" in html and 'id="id_active_fel"' in html
    assert 'value="Nytt namn på kontrollen"' in html or ">Nytt namn på kontrollen<" in html
    control.refresh_from_db()
    assert control.active and control.name != "Nytt namn på kontrollen"


def _unit_select(html: str) -> str:
    return re.search(r'<select name="org_unit".*?</select>', html, re.S).group()


def test_the_unit_list_shows_the_tree_in_groups_without_dashes(client_for):
    select = _unit_select(
        client_for("namnd").get(reverse("quality:deviation_create")).content.decode()
    )
    # One group for the committee; screen readers hear "Enebybergs skola", not "dash dash".
    assert re.findall(r'<optgroup label="([^"]+)"', select) == ["Utbildningsnämnden"]
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert "Utbildningsnämnden" in labels and "–" not in "".join(labels)
    school = next(label for label in labels if label.endswith("Enebybergs skola"))
    assert school.startswith("\u00a0\u00a0") and school.strip() == "Enebybergs skola"
    assert 'value="" selected' in select  # several units: the user chooses


@pytest.mark.parametrize("url", ["quality:deviation_create", "quality:control_create"])
def test_a_user_with_one_unit_finds_it_chosen(client_for, url):
    select = _unit_select(client_for("enhet").get(reverse(url)).content.decode())
    chosen = re.findall(r'<option value="(\d+)"[^>]*selected', select)
    assert chosen == [str(unit("UF-ENS").pk)]
    assert 'value=""' not in select
