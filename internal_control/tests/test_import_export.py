"""Risks and controls as Excel/CSV: what the user may change goes out, and a file that
would change an adopted plan is refused in the preview and writes nothing."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from goals.resources import RESOURCES
from internal_control.models import Control

pytestmark = pytest.mark.django_db


def test_export_of_risks_holds_only_the_committees_the_user_edits(client_for):
    response = client_for("namnd").get(reverse("data_export", args=["risker", "csv"]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("nämnd;år;risk;") or lines[0].startswith("nämnd,år,risk,")
    assert len(lines) > 8
    assert all(line.startswith("UN") for line in lines[1:])


def test_export_of_controls_opens_as_a_sheet(client_for):
    response = client_for("admin").get(reverse("data_export", args=["kontrollmoment", "xlsx"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_import_into_an_adopted_plan_is_refused_and_writes_nothing(client_for):
    control = Control.objects.filter(plan__committee__code="UN", plan__plan_year__year=2026).first()
    assert control.plan.is_adopted
    dataset = RESOURCES["kontrollmoment"]().export(queryset=Control.objects.filter(pk=control.pk))
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row["metod"] = "En annan metod"
    upload = tablib.Dataset(headers=dataset.headers)
    upload.append([row[h] for h in dataset.headers])
    client = client_for("namnd")
    file = SimpleUploadedFile("k.csv", upload.export("csv").encode(), "text/csv")
    preview = client.post(reverse("data_import"), {"kind": "kontrollmoment", "file": file})
    html = preview.content.decode()
    assert "Internkontrollplanen är antagen och låst" in html
    token = client.session["import_upload"]["token"]
    done = client.post(reverse("data_import"), {"action": "confirm", "token": token}, follow=True)
    assert "Inget har sparats" in done.content.decode()
    control.refresh_from_db()
    assert control.method != "En annan metod"
