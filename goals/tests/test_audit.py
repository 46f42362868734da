"""The administrators' audit log: state moves, permission changes and imports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from goals.models import AuditEntry, Membership, OrgUnit
from goals.tests.test_cycle import submitted

pytestmark = pytest.mark.django_db


def test_state_moves_are_logged_with_who_and_unit(users):
    from goals.models import ReportingOccasion

    tertial = ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")
    un = OrgUnit.objects.get(code="UN")
    submitted(tertial, un, users)
    entry = AuditEntry.objects.filter(action="state_move").first()
    assert entry.user == users["namnd"] and entry.unit_code == "UN"
    assert (
        "Lämnade in Tertialrapport 1 2026" in entry.summary and "utkast → inlämnad" in entry.summary
    )


def test_permission_changes_in_the_admin_are_logged_with_the_admin(client_for, users):
    admin = client_for("admin")
    response = admin.post(
        reverse("admin:goals_membership_add"),
        {
            "user": users["outsider"].pk,
            "org_unit": OrgUnit.objects.get(code="SN").pk,
            "role": "reader",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="permission").first()
    assert (
        entry.user == users["admin"]
        and "utomstaende fick rollen Läsare för Socialnämnden" in entry.summary
    )
    Membership.objects.filter(user=users["outsider"]).delete()
    assert "förlorade rollen" in AuditEntry.objects.filter(action="permission").first().summary


def test_imports_are_logged(client_for):
    client = client_for("namnd")
    csv = (
        "kod,nämnd,strategiområde,inriktningsmål,beskrivning,övergripande mål,strategier,"
        "gäller från,gäller till,arkiverat\nUN-LOGG-1,UN,1,Loggat mål,,3,1,2026,2027,nej\n"
    )
    client.post(
        reverse("data_import"),
        {"kind": "mal", "file": SimpleUploadedFile("mal.csv", csv.encode(), "text/csv")},
    )
    client.post(
        reverse("data_import"),
        {"action": "confirm", "token": client.session["import_upload"]["token"]},
    )
    entry = AuditEntry.objects.filter(action="import").first()
    assert entry.user.username == "namnd" and "mal.csv – 1 nya" in entry.summary


def test_the_log_is_read_only_and_filterable_for_administrators(client_for, users):
    AuditEntry.objects.create(action="import", user=users["namnd"], summary="Prov")
    admin = client_for("admin")
    url = reverse("admin:goals_auditentry_changelist")
    page = admin.get(url, {"action__exact": "import", "user__id__exact": users["namnd"].pk})
    assert page.status_code == 200 and "Prov" in page.content.decode()
    entry = AuditEntry.objects.get(summary="Prov")
    assert (
        admin.post(
            reverse("admin:goals_auditentry_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    entry.summary = "Ändrad"
    with pytest.raises(Exception, match="kan inte ändras"):
        entry.save()
    assert client_for("namnd").get(url).status_code == 302  # not staff: to the admin login
