"""A quality control's "Ansvarig": only people with a role in the unit or below it."""

import pytest
from django.urls import reverse

from goals.models import Membership, OrgUnit
from quality.models import QualityControl

pytestmark = pytest.mark.django_db

OUTSIDE_ERROR = (
    "Välj en ansvarig i listan: bara den som har en roll i enheten eller i en enhet under "
    "den kan vara ansvarig."
)


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def control_data(**changes) -> dict:
    data = {
        "version": "0",
        "org_unit": unit("UF-ENS").pk,
        "name": "Andel lektioner som startar i tid",
        "description": "Stickprov varje månad.",
        "frequency": "monthly",
        "owner": "",
        "unit_of_measure": "%",
        "higher_is_better": "1",
        "active": "on",
    }
    data.update(changes)
    return data


def offered(response) -> set[str]:
    return {u.username for u in response.context["form"].fields["owner"].queryset}


def _field_error(html: str, field_id: str) -> str:
    marker = f'id="{field_id}_fel"'
    assert marker in html, f"no error shown under {field_id}"
    start = html.index(marker)
    return html[start : html.index("</p>", start)]


def test_the_list_offers_only_members_of_the_units_subtree(client_for, users):
    # Everyone else in the demo has a role higher up (the committee, the municipality).
    page = client_for("enhet").get(reverse("quality:control_create"), {"enhet": "UF-ENS"})
    assert offered(page) == {"enhet"}
    # A committee editor choosing among the committee's units: its members, nobody above it.
    page = client_for("namnd").get(reverse("quality:control_create"))
    assert offered(page) == {"namnd", "enhet"}
    assert "Karin Lind" not in page.content.decode()  # klk, a role at the municipality


def test_an_existing_controls_list_follows_its_unit(client_for, users):
    control = QualityControl.objects.create(org_unit=unit("UF-ENS"), name="Närvaro")
    page = client_for("namnd").get(reverse("quality:control_edit", args=[control.pk]))
    assert offered(page) == {"enhet"}


@pytest.mark.parametrize("who", ["klk", "outsider"])
def test_a_posted_owner_outside_the_subtree_is_refused_under_the_field(client_for, users, who):
    response = client_for("namnd").post(
        reverse("quality:control_create"), control_data(owner=users[who].pk)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert OUTSIDE_ERROR in _field_error(html, "id_owner")
    assert "Andel lektioner som startar i tid" in html  # what was typed is kept
    assert not QualityControl.objects.filter(name="Andel lektioner som startar i tid").exists()


def test_the_unit_posted_decides_not_the_unit_the_page_showed(client_for, users):
    # namnd is a member of UN, above UF-ENS: a fine owner for UN, not for UF-ENS.
    client = client_for("namnd")
    refused = client.post(reverse("quality:control_create"), control_data(owner=users["namnd"].pk))
    assert OUTSIDE_ERROR in _field_error(refused.content.decode(), "id_owner")
    saved = client.post(
        reverse("quality:control_create"),
        control_data(org_unit=unit("UN").pk, owner=users["namnd"].pk),
    )
    assert saved.status_code == 302
    assert (
        QualityControl.objects.get(name="Andel lektioner som startar i tid").owner == users["namnd"]
    )


def test_a_member_of_the_subtree_is_accepted(client_for, users):
    response = client_for("namnd").post(
        reverse("quality:control_create"), control_data(owner=users["enhet"].pk)
    )
    assert response.status_code == 302
    control = QualityControl.objects.get(name="Andel lektioner som startar i tid")
    assert control.owner == users["enhet"] and control.org_unit.code == "UF-ENS"


def test_the_current_owner_stays_even_after_leaving_the_unit(client_for, users):
    """As for indicators: an owner who has moved on does not block saving the rest."""
    leaver = users["outsider"]
    Membership.objects.create(user=leaver, org_unit=unit("UF-ENS"), role="editor")
    control = QualityControl.objects.create(org_unit=unit("UF-ENS"), name="Närvaro", owner=leaver)
    Membership.objects.filter(user=leaver).delete()
    url = reverse("quality:control_edit", args=[control.pk])
    client = client_for("enhet")
    assert offered(client.get(url)) == {"enhet", leaver.username}
    data = control_data(name="Närvaro, varje vecka", owner=leaver.pk, version=control.version)
    assert client.post(url, data).status_code == 302
    control.refresh_from_db()
    assert control.name == "Närvaro, varje vecka" and control.owner == leaver
