"""The Django admin: every model there, in Swedish, the organisation as a tree."""

import re

import pytest
from django.contrib import admin

from goals.models import OrgUnit

pytestmark = pytest.mark.django_db

CHAIN_MODELS = {
    "Vision",
    "StrategicArea",
    "OverarchingGoal",
    "Strategy",
    "OrgUnit",
    "Membership",
    "PlanYear",
    "ReportingOccasion",
    "DirectionGoal",
    "Indicator",
    "Target",
    "Measurement",
    "OperationalPlan",
    "Activity",
    "ReferenceValue",
    "AuditEntry",
}
# Follow-up is changed only through the cycle's moves (guards, events, notices), never in
# the admin, where a published follow-up could be altered unseen.
NOT_IN_ADMIN = {
    "Submission",
    "SubmissionEvent",
    "GoalAssessment",
    "ActivityFollowUp",
    "ReviewComment",
    "Priority",
    "Notice",
    "PublishedFollowUp",
}


def test_every_chain_model_is_in_the_admin():
    from django.apps import apps

    registered = {m.__name__ for m in admin.site._registry if m._meta.app_label == "goals"}
    assert registered == CHAIN_MODELS
    models = {
        m.__name__
        for m in apps.get_app_config("goals").get_models()
        if not m.__name__.startswith("Historical")
    }
    assert models == CHAIN_MODELS | NOT_IN_ADMIN, "a new model: put it in the admin or say why not"


def test_every_admin_list_and_add_page_opens_in_swedish(client_for):
    client = client_for("admin")
    for model in admin.site._registry:
        if model._meta.app_label != "goals":
            continue
        base = f"/admin/goals/{model._meta.model_name}/"
        listing = client.get(base)
        assert listing.status_code == 200, base
        assert 'lang="sv"' in listing.content.decode()
        model_admin = admin.site._registry[model]
        if model_admin.has_add_permission(_request(client)):
            assert client.get(base + "add/").status_code == 200, base
        obj = model.objects.first()
        if obj is not None:
            assert client.get(f"{base}{obj.pk}/change/").status_code == 200, base


def _request(client):
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username="admin")
    return request


def test_organisation_list_is_indented_as_a_tree(client_for):
    html = client_for("admin").get("/admin/goals/orgunit/").content.decode()
    assert "Organisation" in html
    # Indented by class (static/admin-styr/tree.css): the CSP refuses inline styles.
    result_list = html[html.index('id="result_list"') :]
    assert "style=" not in result_list
    assert "admin-styr/tree.css" in html

    def indent(code: str) -> int:
        name = OrgUnit.objects.get(code=code).name
        match = re.search(rf'class="tree-level tree-level-(\d+)">{name}</span>', result_list)
        return int(match.group(1))

    assert indent("DK") < indent("UN") < indent("UF") < indent("UF-GRS") < indent("UF-ENS")


def test_deleting_units_from_the_list_says_so_in_swedish(client_for):
    """The list's "delete selected" is Django's (through goals.services and its lock), not
    django-mptt's, whose message has no Swedish."""
    from goals import services

    parent = OrgUnit.objects.get(code="UF-GRS")
    unit = services.org_unit_save(
        org_unit=OrgUnit(name="Nedlagd skola", code="UF-NED", kind=OrgUnit.Kind.UNIT, parent=parent)
    )
    response = client_for("admin").post(
        "/admin/goals/orgunit/",
        {"action": "delete_selected", "_selected_action": [unit.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Tog bort 1 organisationsenhet." in response.content.decode()
    assert not OrgUnit.objects.filter(code="UF-NED").exists()


def test_change_history_is_shown_for_goals(client_for):
    client = client_for("admin")
    goal_pk = client.get("/admin/goals/directiongoal/").context["cl"].result_list[0].pk
    response = client.get(f"/admin/goals/directiongoal/{goal_pk}/history/")
    assert response.status_code == 200
    assert "Historik" in response.content.decode() or "historik" in response.content.decode()


def test_non_staff_cannot_open_the_admin(client_for):
    response = client_for("namnd").get("/admin/goals/orgunit/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_staff_editor_with_every_model_permission_still_has_no_admin(client_for, users):
    """The admin knows no subtree: an editor given staff and permissions must not reach it."""
    from django.contrib.auth.models import Permission

    from goals.models import OrgUnit

    namnd = users["namnd"]
    namnd.is_staff = True
    namnd.save()
    namnd.user_permissions.set(Permission.objects.all())
    client = client_for("namnd")
    unit = OrgUnit.objects.get(code="SF-AO-KEV")
    for url in ("/admin/", "/admin/goals/orgunit/", f"/admin/goals/orgunit/{unit.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    response = client.post(
        f"/admin/goals/orgunit/{unit.pk}/change/",
        {"name": "Flyttad", "code": unit.code, "kind": unit.kind},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Kevinge äldreboende"
