"""The organisation tree: writes through the locking service, subtree access."""

import pytest
from django.db.models import ProtectedError

from goals import services
from goals.models import OrgUnit
from goals.permissions import access_for

pytestmark = pytest.mark.django_db


def tree_state() -> list[tuple]:
    return list(
        OrgUnit.objects.order_by("pk").values_list(
            "pk", "parent_id", "tree_id", "lft", "rght", "level"
        )
    )


def test_demo_tree_is_unchanged_by_rebuild():
    before = tree_state()
    OrgUnit.objects.rebuild()
    assert tree_state() == before


def test_service_writes_keep_the_tree_consistent():
    admin = OrgUnit.objects.get(code="UF")
    new = services.org_unit_create(
        name="Gymnasieavdelningen", code="UF-GYM", kind="department", parent=admin
    )
    school = OrgUnit.objects.get(code="UF-DG")
    school.parent = new
    services.org_unit_save(org_unit=school)
    extra = services.org_unit_create(
        name="Vuxenutbildningen", code="UF-VUX", kind="unit", parent=new
    )
    services.org_unit_delete(org_unit=extra)
    before = tree_state()
    OrgUnit.objects.rebuild()
    assert tree_state() == before
    assert OrgUnit.objects.get(code="UF-DG").get_ancestors().filter(code="UF-GYM").exists()


def test_a_stale_copy_does_not_corrupt_the_tree():
    """A form holding an old copy saves after someone else inserted a unit before it."""
    stale = OrgUnit.objects.get(code="KFF-IDR")
    services.org_unit_create(
        name="Allaktivitetshuset", code="KFF-A", kind="unit", parent=stale.parent
    )
    stale.own_operation = True
    services.org_unit_save(org_unit=stale)
    before = tree_state()
    OrgUnit.objects.rebuild()
    assert tree_state() == before


def test_a_unit_with_units_below_cannot_be_deleted():
    with pytest.raises(ProtectedError):
        services.org_unit_delete(org_unit=OrgUnit.objects.get(code="UF-GRS"))
    assert OrgUnit.objects.filter(code="UF-ENS").exists()


def test_subtree_queries():
    un = OrgUnit.objects.get(code="UN")
    codes = set(un.get_descendants().values_list("code", flat=True))
    assert {"UF", "UF-GRS", "UF-ENS", "UF-DG"} <= codes
    assert "SF" not in codes
    assert OrgUnit.objects.get(code="UF-ENS").committee == un


def test_membership_covers_the_whole_subtree(users):
    namnd = access_for(users["namnd"])
    covered = set(OrgUnit.objects.filter(namnd.subtree_q()).values_list("code", flat=True))
    assert covered == {"UN"} | set(
        OrgUnit.objects.get(code="UN").get_descendants().values_list("code", flat=True)
    )
    enhet = access_for(users["enhet"])
    assert set(OrgUnit.objects.filter(enhet.subtree_q()).values_list("code", flat=True)) == {
        "UF-ENS"
    }
    # The unit head plans under the committee above her unit.
    assert list(OrgUnit.objects.filter(enhet.committee_q()).values_list("code", flat=True)) == [
        "UN"
    ]
    assert access_for(users["politiker"]).everything
    assert not OrgUnit.objects.filter(access_for(users["outsider"]).subtree_q()).exists()


def test_admin_moves_a_unit_through_the_service(client_for):
    client = client_for("admin")
    unit = OrgUnit.objects.get(code="KFF-FG")
    new_parent = OrgUnit.objects.get(code="SF")
    response = client.post(
        f"/admin/goals/orgunit/{unit.pk}/change/",
        {
            "parent": new_parent.pk,
            "name": unit.name,
            "code": unit.code,
            "kind": unit.kind,
            "own_operation": "on",
            "kolada_id": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OrgUnit.objects.get(code="KFF-FG").parent == new_parent
    before = tree_state()
    OrgUnit.objects.rebuild()
    assert tree_state() == before


def test_admin_refuses_a_committee_below_a_unit_in_swedish(client_for):
    client = client_for("admin")
    school = OrgUnit.objects.get(code="UF-ENS")
    response = client.post(
        "/admin/goals/orgunit/add/",
        {
            "parent": school.pk,
            "name": "Felplacerad nämnd",
            "code": "FEL",
            "kind": "committee",
            "kolada_id": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "En nämnd ligger direkt under kommunen." in response.content.decode()
    assert not OrgUnit.objects.filter(code="FEL").exists()
