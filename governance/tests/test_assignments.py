"""Assignments: who gives and changes them, their status in the follow-up, review and report."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from core.formats import format_swedish_number
from goals import cycle
from goals.models import OrgUnit, PublishedError, ReportingOccasion, Submission
from goals.tests.test_cycle import complete_input
from governance.models import Assignment, AssignmentStatus
from reporting import render
from reporting.data import committee_report_data

pytestmark = pytest.mark.django_db

A_DAY_IT_IS_OPEN = datetime.date(2026, 5, 10)
ABSENCE = "Redovisa hur den ogiltiga frånvaron i grundskolan ska minska"


@pytest.fixture
def tertial():
    return ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")


@pytest.fixture
def absence():
    """The demo's assignment from Utbildningsnämnden to its administration."""
    return Assignment.objects.get(text__startswith=ABSENCE)


def assignment(text="Inventera skolgårdarnas lekutrustning.", giver="UN", to="UF-ENS", **values):
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[giver, to])}
    defaults = {"given_on": datetime.date(2026, 1, 20), "deadline": datetime.date(2026, 9, 30)}
    defaults.update(values)
    return Assignment.objects.create(
        text=text, given_by=units[giver], receiving_unit=units[to], **defaults
    )


def form_data(**overrides) -> dict:
    data = {
        "version": "0",
        "text": "Inventera skolgårdarnas lekutrustning.",
        "given_by": str(OrgUnit.objects.get(code="UN").pk),
        "given_on": "2026-01-20",
        "deadline": "2026-09-30",
        "receiving_unit": str(OrgUnit.objects.get(code="UF-ENS").pk),
        "direction_goal": "",
        "closed_on": "",
    }
    data.update(overrides)
    return data


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "detail", "edit"),
    [
        ("admin", 200, 200),
        ("namnd", 200, 200),  # editor of the giving committee
        ("enhet", 200, 403),  # the receiving unit's head reads it
        ("klk", 200, 403),
        ("politiker", 200, 403),
        ("outsider", 404, 404),
    ],
)
def test_who_sees_and_who_changes_a_committees_assignment(client_for, persona, detail, edit):
    a = assignment()
    client = client_for(persona)
    assert client.get(a.get_absolute_url()).status_code == detail
    url = reverse("governance:assignment_edit", args=[a.pk])
    assert client.get(url).status_code == edit
    response = client.post(url, form_data(version="1", text="Ändrad text."))
    assert response.status_code == (302 if edit == 200 else edit)
    a.refresh_from_db()
    assert (a.text == "Ändrad text.") == (edit == 200)


def test_kommunfullmaktiges_assignment_to_another_committee_is_not_found(client_for):
    solar = Assignment.objects.get(text__startswith="Utred förutsättningarna för solceller")
    assert client_for("namnd").get(solar.get_absolute_url()).status_code == 404
    listed = client_for("namnd").get(reverse("governance:assignment_list")).content.decode()
    assert "solceller" not in listed and ABSENCE in listed
    page = client_for("politiker").get(solar.get_absolute_url()).content.decode()
    assert "Kommunfullmäktige" in page and "Försenat" in page


def test_readers_cannot_give_assignments(client_for):
    url = reverse("governance:assignment_create")
    assert client_for("politiker").get(url).status_code == 403
    assert client_for("klk").get(url).status_code == 403
    assert client_for("outsider").get(url).status_code == 404


def test_an_editor_gives_an_assignment_within_the_committee_only(client_for):
    client = client_for("namnd")
    url = reverse("governance:assignment_create")
    assert client.post(url, form_data()).status_code == 302
    created = Assignment.objects.get(text="Inventera skolgårdarnas lekutrustning.")
    assert created.given_by_label == "Utbildningsnämnden" and created.version == 1
    # Not in kommunfullmäktige's name, and not to another committee's unit.
    dk = OrgUnit.objects.get(code="DK")
    html = client.post(url, form_data(given_by=str(dk.pk), text="KF")).content.decode()
    assert 'id="id_given_by_fel"' in html
    sn = OrgUnit.objects.get(code="SN")
    html = client.post(url, form_data(receiving_unit=str(sn.pk), text="SN")).content.decode()
    assert 'id="id_receiving_unit_fel"' in html
    html = (
        client_for("admin")
        .post(url, form_data(receiving_unit=str(sn.pk), text="SN"))
        .content.decode()
    )
    assert "Utbildningsnämnden kan bara ge uppdrag till enheter inom sitt eget" in html
    html = client.post(url, form_data(deadline="2025-12-31", text="Tidigt")).content.decode()
    assert "Sista dag kan inte ligga före beslutsdatum." in html
    assert not Assignment.objects.filter(text__in=["KF", "SN", "Tidigt"]).exists()


def test_changes_are_in_the_history_and_a_stale_edit_gets_409(client_for):
    a = assignment()
    url = reverse("governance:assignment_edit", args=[a.pk])
    theirs = client_for("admin").post(url, form_data(version="1", deadline="2026-10-31"))
    assert theirs.status_code == 302
    response = client_for("namnd").post(url, form_data(version="1", text="Min text."))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Min text.</textarea>" in html and "Ändrat av någon annan" in html
    a.refresh_from_db()
    assert a.text == "Inventera skolgårdarnas lekutrustning." and a.version == 2
    page = client_for("namnd").get(a.get_absolute_url())
    changes = {c.field: (c.old, c.new) for c in page.context["history"][0].changes}
    assert changes["ska vara klart senast"] == ("2026-09-30", "2026-10-31")


# --- in the follow-up ---------------------------------------------------------------------------


def page_data(page) -> dict:
    """What the follow-up page sends back untouched, assignment statuses included."""
    forms = page.context["forms"]
    data = {"version": forms["main"]["version"].value() or "0"}
    groups = [forms["measurements"], forms["assessments"], forms["activities"]]
    for form in [f for g in groups for f in g.values()] + list(forms["assignments"]):
        for field in form:
            value = field.value()
            if field.name == "value":
                value = format_swedish_number(value)
            data[field.html_name] = "" if value is None else value
    return data


def test_open_assignments_are_in_the_follow_up_and_saved_with_it(
    client_for, tertial, absence, users
):
    assignment(text="Ett avslutat uppdrag.", closed_on=datetime.date(2025, 12, 1))
    assignment(text="Ett senare uppdrag.", given_on=datetime.date(2026, 6, 1))
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    page = client.get(url)
    html = page.content.decode()
    assert "<h2>Uppdrag</h2>" in html and ABSENCE in html
    assert f'name="uppdrag-{absence.pk}-status"' in html
    assert "Ett avslutat uppdrag." not in html and "Ett senare uppdrag." not in html
    data = page_data(page)
    data.update(
        {
            "action": "save",
            "analysis": "Analysen.",
            f"uppdrag-{absence.pk}-status": "ongoing",
            f"uppdrag-{absence.pk}-comment": "Kartläggningen per skola är klar.",
        }
    )
    assert client.post(url, data).status_code == 302
    status = AssignmentStatus.objects.get(assignment=absence, submission__occasion=tertial)
    assert (status.status, status.comment) == ("ongoing", "Kartläggningen per skola är klar.")
    assert status.submission.org_unit.code == "UN" and status.submission.analysis == "Analysen."
    # The status is in the form when it comes back, and every change has a history row.
    page = client.get(url)
    assert 'value="ongoing" selected' in page.content.decode()
    data = page_data(page)
    data.update({"action": "save", f"uppdrag-{absence.pk}-status": "delayed"})
    assert client.post(url, data).status_code == 302
    history = list(AssignmentStatus.history.filter(assignment_id=absence.pk).order_by("pk"))
    assert [h.status for h in history] == ["ongoing", "delayed"]
    assert history[-1].history_user == users["namnd"]
    detail = client.get(absence.get_absolute_url()).content.decode()
    assert "Försenat" in detail and "<bdi>Tertialrapport 1</bdi> 2026" in detail


def test_the_verksamhetsplan_occasion_has_no_assignment_statuses(client_for):
    plan = ReportingOccasion.objects.get(plan_year__year=2026, kind="operational_plan")
    page = client_for("namnd").get(reverse("followup_edit", args=[plan.pk, "UN"]))
    assert page.status_code == 200
    assert "uppdrag-" not in page.content.decode()
    assert list(page.context["forms"]["assignments"]) == []


def test_a_comment_without_a_status_is_an_error_under_the_field_and_nothing_is_saved(
    client_for, tertial, absence
):
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    data = page_data(client.get(url))
    data.update({"action": "save", "analysis": "Ny analys", f"uppdrag-{absence.pk}-comment": "Hm"})
    response = client.post(url, data)
    html = response.content.decode()
    assert f'id="id_uppdrag-{absence.pk}-status_fel"' in html
    assert "Välj en status för uppdraget som kommentaren gäller." in html
    assert f'href="#id_uppdrag-{absence.pk}-status"' in html  # the error summary links to it
    assert not Submission.objects.filter(occasion=tertial, org_unit__code="UN").exists()


def test_submitting_does_not_require_assignment_statuses(tertial, absence, users):
    from goals.tests.test_cycle import submitted

    submission = submitted(tertial, OrgUnit.objects.get(code="UN"), users)
    assert submission.state == Submission.State.SUBMITTED
    assert not AssignmentStatus.objects.filter(submission=submission).exists()


def test_the_follow_up_page_makes_the_same_queries_for_many_assignments(
    client_for, tertial, absence
):
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(20):
        assignment(text=f"Uppdrag nummer {i}.", to="UF-FRI")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "Uppdrag nummer 19." in html
    assert len(many.captured_queries) == len(few.captured_queries)


def _submitted_with_status(tertial, absence, users) -> Submission:
    un = OrgUnit.objects.get(code="UN")
    submission = cycle.submission_get_or_create(occasion=tertial, org_unit=un)
    AssignmentStatus.objects.create(
        assignment=absence,
        submission=submission,
        status=AssignmentStatus.Status.DELAYED,
        comment="Två skolor har ännu inte lämnat sin kartläggning.",
    )
    submission = cycle.followup_save(
        submission=submission,
        user=users["namnd"],
        base_version=submission.version,
        data=complete_input(submission),
    )
    return cycle.submission_submit(
        submission=submission, user=users["namnd"], today=A_DAY_IT_IS_OPEN
    )


def test_the_review_page_shows_the_statuses_read_only(client_for, tertial, absence, users):
    submission = _submitted_with_status(tertial, absence, users)
    page = client_for("klk").get(reverse("review_submission", args=[submission.pk]))
    html = page.content.decode()
    section = html[html.index('id="uppdrag-rubrik"') :]
    assert ABSENCE in section and "Försenat" in section
    assert "Två skolor har ännu inte lämnat sin kartläggning." in section
    assert f'name="uppdrag-{absence.pk}-status"' not in html


def test_statuses_are_locked_once_the_follow_up_is_published(client_for, tertial, absence, users):
    submission = _submitted_with_status(tertial, absence, users)
    cycle.submission_approve(submission=submission, user=users["klk"])
    cycle.submission_publish(submission=submission, user=users["klk"])
    status = AssignmentStatus.objects.get(submission=submission)
    status.status = AssignmentStatus.Status.DONE
    with pytest.raises(PublishedError):
        status.save()
    with pytest.raises(PublishedError):
        status.delete()
    with pytest.raises(PublishedError):
        AssignmentStatus(assignment=assignment(), submission=submission, status="ongoing").save()
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    client = client_for("namnd")
    page = client.get(url).content.decode()
    assert f'name="uppdrag-{absence.pk}-status"' not in page and "Försenat" in page
    client.post(url, {"version": "99", f"uppdrag-{absence.pk}-status": "done"})
    status.refresh_from_db()
    assert status.status == AssignmentStatus.Status.DELAYED


# --- in the report ------------------------------------------------------------------------------


def test_report_data_lists_each_committees_assignments_with_status(tertial, absence, users):
    _submitted_with_status(tertial, absence, users)
    data = committee_report_data(occasion=tertial, org_unit=OrgUnit.objects.get(code="UN"))
    rows = data["committees"][0]["assignments"]
    row = next(r for r in rows if r["text"].startswith(ABSENCE))
    assert row == {
        "text": absence.text,
        "receiving_unit": "Utbildningsförvaltningen",
        "given_by": "Utbildningsnämnden",
        "given_on": "2026-02-12",
        "deadline": "2026-12-15",
        "closed_on": None,
        "status": "delayed",
        "status_label": "Försenat",
        "comment": "Två skolor har ännu inte lämnat sin kartläggning.",
    }
    assert all("solceller" not in r["text"] for r in rows)  # Fastighetsnämnden's


def test_report_data_takes_the_same_queries_for_many_assignments(
    tertial, django_assert_max_num_queries
):
    un = OrgUnit.objects.get(code="UN")
    committee_report_data(occasion=tertial, org_unit=un)  # caches warmed
    with CaptureQueriesContext(connection) as few:
        committee_report_data(occasion=tertial, org_unit=un)
    for i in range(20):
        assignment(text=f"Uppdrag nummer {i}.", to="UF-FRI")
    with CaptureQueriesContext(connection) as many:
        data = committee_report_data(occasion=tertial, org_unit=un)
    assert len(data["committees"][0]["assignments"]) >= 21
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_pdf_has_the_assignments_table():
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    rendered = render.render_report(
        kind="committee", occasion=occasion, org_unit=OrgUnit.objects.get(code="FN")
    )
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages]
    # As a reader sees it: hyphenation undone, lines joined (as reporting/tests reads PDFs).
    joined = " ".join(pages).replace("\u2010\n", "").replace("\u00ad", "").replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", joined)
    start = text.index("Uppdrag Givet av Datum Senast Status Kommentar")
    table = text[start:]
    assert "Utred förutsättningarna för solceller" in table
    assert "Kommunfullmäktige 2025-06-16 2026-03-31 Försenat" in table
    assert "Upphandlingen av konsultstöd överprövades" in table
    assert table.index("solceller") < table.index("Ekonomi")


def test_a_unit_head_reading_the_committees_follow_up_sees_only_their_branch(
    client_for, tertial, absence, users
):
    assignment(text="Uppdrag till Fribergaskolan.", to="UF-FRI")
    assignment(text="Uppdrag till Enebybergs skola.", to="UF-ENS")
    _submitted_with_status(tertial, absence, users)
    page = client_for("enhet").get(reverse("followup_edit", args=[tertial.pk, "UN"]))
    html = page.content.decode()
    assert "Uppdrag till Enebybergs skola." in html and ABSENCE in html
    assert "Uppdrag till Fribergaskolan." not in html
    namnd = client_for("namnd").get(reverse("followup_edit", args=[tertial.pk, "UN"]))
    assert "Uppdrag till Fribergaskolan." in namnd.content.decode()


def test_an_assignment_finished_during_the_year_is_in_that_years_report_only():
    annual = ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")
    kfn = OrgUnit.objects.get(code="KFN")
    rows = committee_report_data(occasion=annual, org_unit=kfn)["committees"][0]["assignments"]
    library = next(r for r in rows if r["text"].startswith("Ta fram en biblioteksplan"))
    assert library["closed_on"] == "2025-03-17" and library["given_by"] == "Kommunfullmäktige"
    plan_2026 = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    later = committee_report_data(occasion=plan_2026, org_unit=kfn)["committees"][0]
    assert all("biblioteksplan" not in r["text"] for r in later["assignments"])
