"""The quality system's and the governing documents' pages in a real browser, under axe-core.

Each page is opened by an editor who may change it (so its forms and buttons are on the
page too), its heading checked and axe-core run on it.
"""

import pytest

from .conftest import assert_no_serious_axe_violations, login

pytestmark = pytest.mark.browser


def _paths() -> dict[str, str]:
    from django.urls import reverse

    from goals.models import ReportingOccasion, Submission
    from governance.models import Assignment, GoverningDocument
    from governance.selectors import followup_assignments
    from quality.models import Deviation, IndicatorMove, QualityControl

    deviation = Deviation.objects.filter(org_unit__code="UF-ENS", activity=None).first()
    control = QualityControl.objects.filter(org_unit__code="UF-ENS").first()
    document = GoverningDocument.objects.order_by("pk").first()
    assignment = Assignment.objects.filter(given_by__code="UN").order_by("pk").first()
    moved = IndicatorMove.objects.filter(reversed_at=None).select_related("control").first()
    handed_in = Submission.objects.filter(
        state__in=["submitted", "approved", "published"]
    ).select_related("occasion", "org_unit")
    reviewed = next(
        s
        for s in handed_in
        if followup_assignments(occasion=s.occasion, unit=s.org_unit, submission=s)
    )
    tertial = ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")
    return {
        "quality_overview": reverse("quality:overview"),
        "deviation": reverse("quality:deviation_detail", args=[deviation.pk]),
        "deviation_form": reverse("quality:deviation_edit", args=[deviation.pk]),
        "lift": reverse("quality:deviation_lift", args=[deviation.pk]),
        "control": reverse("quality:control_detail", args=[control.pk]),
        "moved_control": reverse("quality:control_detail", args=[moved.control.pk]),
        "measurement_form": reverse("quality:measurement_create", args=[control.pk]),
        "documents": reverse("governance:document_list"),
        "document": reverse("governance:document_detail", args=[document.pk]),
        "document_form": reverse("governance:document_edit", args=[document.pk]),
        "to_review": reverse("governance:documents_review"),
        "assignments": reverse("governance:assignment_list"),
        "assignment": reverse("governance:assignment_detail", args=[assignment.pk]),
        "assignment_form": reverse("governance:assignment_edit", args=[assignment.pk]),
        "followup": reverse("followup_edit", args=[tertial.pk, "UN"]),
        "review": reverse("review_submission", args=[reviewed.pk]),
    }


PAGES = [
    # (key, persona, text the page's h1 holds, text on the page or h:a heading it has)
    pytest.param("quality_overview", "namnd", "Kvalitet", None, id="quality-overview"),
    pytest.param("deviation", "namnd", "", "Lyft till verksamhetsplan", id="deviation"),
    pytest.param("deviation_form", "namnd", "Ändra avvikelse", None, id="deviation-form"),
    pytest.param("lift", "namnd", "", "Inriktningsmål som avvikelsen hotar", id="lift"),
    pytest.param("control", "namnd", "", None, id="control"),
    pytest.param("moved_control", "admin", "", "Ångra flytt", id="moved-control"),
    pytest.param("measurement_form", "namnd", "Ny mätning", None, id="measurement-form"),
    pytest.param("documents", "namnd", "Styrdokument", None, id="documents"),
    pytest.param("document", "admin", "", None, id="document"),
    pytest.param("document_form", "admin", "Ändra", None, id="document-form"),
    pytest.param("to_review", "namnd", "revidera", None, id="to-review"),
    pytest.param("assignments", "namnd", "Uppdrag", None, id="assignments"),
    pytest.param("assignment", "namnd", "", None, id="assignment"),
    pytest.param("assignment_form", "namnd", "Ändra uppdrag", None, id="assignment-form"),
    pytest.param("followup", "namnd", "", "h:Uppdrag", id="followup-assignments"),
    pytest.param("review", "klk", "", "h:Uppdrag", id="review-assignments"),
]


@pytest.mark.parametrize(("key", "persona", "heading", "text"), PAGES)
def test_page_heading_and_accessibility(demo, live_server, page, key, persona, heading, text):
    path = _paths()[key]
    login(page, live_server.url, persona)
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, (path, response.status)
    h1 = page.get_by_role("heading", level=1)
    assert heading in h1.inner_text()
    if text and text.startswith("h:"):
        assert page.get_by_role("heading", name=text[2:], exact=True).count(), (path, text)
    elif text:
        assert page.get_by_role("main").get_by_text(text).count(), (path, text)
    assert_no_serious_axe_violations(page)


def test_form_errors_are_tied_to_their_fields(demo, live_server, page):
    """A refused deviation: the error under the field, named by aria-describedby, with the
    typed values kept, and axe-core still content with the page."""
    login(page, live_server.url, "namnd")
    page.goto(f"{live_server.url}/kvalitet/avvikelse/ny/")
    page.get_by_label("Rubrik").fill("Trasig ramp vid entrén")
    page.get_by_label("Datum för avvikelsen").fill("2099-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara").first.click()
    date = page.get_by_label("Datum för avvikelsen")
    described = (date.get_attribute("aria-describedby") or "").split()
    texts = [page.locator(f"#{i}").inner_text() for i in described]
    assert any("framtiden" in t for t in texts), texts
    assert page.get_by_label("Rubrik").input_value() == "Trasig ramp vid entrén"
    assert_no_serious_axe_violations(page)
