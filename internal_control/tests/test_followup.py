"""Control results are part of the committee's follow-up: open while it is a draft or
returned, shown to the reviewer, and frozen as they were when it is published."""

import re

import pytest
from django.urls import reverse

from goals import cycle
from goals.models import PublishedError, ReportingOccasion, Submission
from internal_control.models import ControlResult

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _occasion(name: str) -> ReportingOccasion:
    return ReportingOccasion.objects.get(plan_year__year=2026, name=name)


def test_reviewer_sees_the_results_and_their_deviation(client_for):
    submission = Submission.objects.get(occasion=_occasion("Delårsrapport"), org_unit__code="SN")
    page = client_for("klk").get(reverse("review_submission", args=[submission.pk]))
    assert page.status_code == 200
    text = _text(page)
    assert "Intern kontroll" in text
    assert "kontrollmoment att rapportera" in text


def test_returned_followup_opens_the_results_and_approval_closes_them(client_for, users):
    occasion = _occasion("Delårsrapport")
    submission = Submission.objects.get(occasion=occasion, org_unit__code="SN")
    result = ControlResult.objects.filter(
        occasion=occasion, control__plan__committee__code="SN"
    ).first()
    url = reverse("ic_result_edit", args=[result.control_id, occasion.pk])
    admin = client_for("admin")
    # Handed in: the results wait for the review.
    assert admin.get(url).status_code == 302
    assert "inlämnad" in _text(admin.get(reverse("ic_results", args=["SN", occasion.pk])))
    cycle.submission_return(submission=submission, user=users["klk"], reason="Komplettera")
    assert admin.get(url).status_code == 200
    response = admin.post(
        url,
        {
            "version": str(result.version),
            "status": "not_done",
            "findings": "Kontrollen hann inte göras före delåret.",
            "assessment": "not_fulfilled",
        },
    )
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.status == "not_done" and result.history.first().history_user == users["admin"]
    submission.refresh_from_db()
    cycle.submission_submit(submission=submission, user=users["admin"])
    cycle.submission_approve(submission=submission, user=users["klk"])
    assert admin.get(url).status_code == 302
    result.refresh_from_db()
    assert result.status == "not_done"


def test_a_result_typed_while_the_followup_was_handed_in_comes_back_unsaved(client_for, users):
    occasion = _occasion("Delårsrapport")
    submission = Submission.objects.get(occasion=occasion, org_unit__code="SN")
    cycle.submission_return(submission=submission, user=users["klk"], reason="Komplettera")
    result = ControlResult.objects.filter(
        occasion=occasion, control__plan__committee__code="SN"
    ).first()
    url = reverse("ic_result_edit", args=[result.control_id, occasion.pk])
    admin = client_for("admin")
    assert admin.get(url).status_code == 200  # the form opened while it was returned
    submission.refresh_from_db()
    cycle.submission_submit(submission=submission, user=users["admin"])  # handed in meanwhile
    findings = "Attesterna stämde i elva av tolv stickprov."
    response = admin.post(
        url,
        {
            "version": str(result.version),
            "status": result.status,
            "findings": findings,
            "assessment": result.assessment,
        },
    )
    assert response.status_code == 409
    text = _text(response)
    assert "Det du skrev har inte sparats" in text
    assert (
        "Uppföljningen Delårsrapport 2026 är inlämnad; kontrollresultaten kan inte ändras." in text
    )
    typed = {t.label: t.value for t in response.context["not_saved"]}
    assert typed == {"Vad kontrollen visade": findings}
    assert findings + "</textarea>" in response.content.decode()
    assert "Spara</button>" not in response.content.decode()
    result.refresh_from_db()
    assert result.findings != findings


def test_published_followup_keeps_its_results_as_they_were(client_for):
    occasion = _occasion("Tertialrapport 1")
    submission = Submission.objects.get(occasion=occasion, org_unit__code="SN")
    assert submission.state == Submission.State.PUBLISHED
    result = ControlResult.objects.filter(
        occasion=occasion, control__plan__committee__code="SN", deviation__isnull=False
    ).first()
    assert result is not None
    with pytest.raises(PublishedError):
        result.findings = "Ändrat i efterhand"
        result.save()
    # Even a write past the model changes nothing the published pages show.
    ControlResult.objects.filter(pk=result.pk).update(findings="Ändrat i efterhand")
    page = _text(client_for("politiker").get(reverse("followup_edit", args=[occasion.pk, "SN"])))
    assert "Intern kontroll" in page
    assert "Exempel: tre av tjugo underlag saknade rätt beslut." in page
    assert "Ändrat i efterhand" not in page
    assert "Visas som de var när uppföljningen publicerades." in page
    refused = client_for("admin").get(
        reverse("ic_result_edit", args=[result.control_id, occasion.pk])
    )
    assert refused.status_code == 302
