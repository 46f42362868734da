"""Free texts are limited to TEXT_MAX characters: refused with a Swedish error, never cut."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse

from goals.forms import ActivityFollowUpForm, AssessmentForm, MeasurementEntryForm
from goals.models import TEXT_MAX, DirectionGoal, GoalAssessment, ReportingOccasion, StrategicArea
from governance.forms import AssignmentStatusForm
from quality.forms import MoveReverseForm

pytestmark = pytest.mark.django_db

# "å" counts as one character, as the user sees it (not as two UTF-8 bytes).
TOO_LONG = "å" * (TEXT_MAX + 1)
LONGEST = "å" * TEXT_MAX
SWEDISH_ERROR = "Säkerställ att detta värde har som mest 20000 tecken (den har 20001)."


def _field_error(html: str, field_id: str) -> str:
    marker = f'id="{field_id}_fel"'
    assert marker in html, f"no error shown under {field_id}"
    start = html.index(marker)
    return html[start : html.index("</p>", start)]


def test_every_free_text_field_has_the_limit():
    """A new TextField in these apps gets the limit too (text_limit()).

    The history's copies follow their model (simple-history stores a file path as text).
    """
    for app in ("goals", "quality", "governance"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.get_fields():
                if isinstance(field, models.TextField):
                    assert any(
                        isinstance(v, MaxLengthValidator) and v.limit_value == TEXT_MAX
                        for v in field.validators
                    ), f"{model.__name__}.{field.name} has no length limit"


def _goal_data(area, **overrides):
    data = {
        "version": "0",
        "strategic_area": str(area.pk),
        "code": "UN-HK-9",
        "title": "Alla elever ska känna sig trygga i skolan",
        "description": "",
        "valid_from": "2026",
        "valid_to": "2027",
        "overarching_goals": [str(g.pk) for g in area.overarching_goals.all()],
        "strategies": [],
    }
    data.update(overrides)
    return data


def test_a_too_long_goal_description_is_refused_under_the_field_and_kept(client_for):
    area = StrategicArea.objects.get(name="Hög kvalitet")
    response = client_for("namnd").post(
        reverse("plan_goal_create", args=["UN"]), _goal_data(area, description=TOO_LONG)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert SWEDISH_ERROR in _field_error(html, "id_description")
    assert TOO_LONG + "</textarea>" in html  # the text is kept, not cut
    end = html.index('id="id_description"')
    assert "maxlength" not in html[html.rindex("<textarea", 0, end) : end]
    assert not DirectionGoal.objects.filter(code="UN-HK-9").exists()


def test_a_goal_description_of_exactly_the_limit_is_saved(client_for):
    area = StrategicArea.objects.get(name="Hög kvalitet")
    response = client_for("namnd").post(
        reverse("plan_goal_create", args=["UN"]), _goal_data(area, description=LONGEST)
    )
    assert response.status_code == 302
    assert DirectionGoal.objects.get(code="UN-HK-9").description == LONGEST


GOAL_HEADER = (
    "kod,nämnd,strategiområde,inriktningsmål,beskrivning,övergripande mål,strategier,"
    "gäller från,gäller till,arkiverat\n"
)


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("fil.csv", text.encode("utf-8"), content_type="text/csv")


def test_an_import_row_with_a_too_long_description_is_refused_and_nothing_written(client_for):
    client = client_for("namnd")
    csv = GOAL_HEADER + (
        "UN-NY-1,UN,1,Ett nytt mål,Kort beskrivning,3,1,2026,2027,nej\n"
        f"UN-NY-2,UN,1,Ett mål till,{TOO_LONG},3,1,2026,2027,nej\n"
    )
    response = client.post(reverse("data_import"), {"kind": "mal", "file": _csv(csv)})
    html = response.content.decode()
    assert f"Rad 2, beskrivning: {SWEDISH_ERROR}" in html
    assert "Rad 1, beskrivning" not in html
    assert "Bekräfta och importera" not in html
    # Even a forged confirm writes nothing: the whole file is refused.
    client.post(
        reverse("data_import"),
        {"action": "confirm", "token": client.session["import_upload"]["token"]},
    )
    assert not DirectionGoal.objects.filter(code__startswith="UN-NY").exists()


def test_an_import_row_with_a_description_of_exactly_the_limit_is_accepted(client_for):
    client = client_for("namnd")
    csv = GOAL_HEADER + f"UN-NY-1,UN,1,Ett nytt mål,{LONGEST},3,1,2026,2027,nej\n"
    preview = client.post(reverse("data_import"), {"kind": "mal", "file": _csv(csv)})
    assert "Bekräfta och importera" in preview.content.decode()
    client.post(
        reverse("data_import"),
        {"action": "confirm", "token": client.session["import_upload"]["token"]},
    )
    assert DirectionGoal.objects.get(code="UN-NY-1").description == LONGEST


def _page_data(page) -> dict:
    """What the follow-up page sends back untouched: every field with its shown value."""
    from core.formats import format_swedish_number

    forms = page.context["forms"]
    data = {"version": forms["main"]["version"].value() or "0", "action": "save"}
    for group in ("measurements", "assessments", "activities"):
        for form in forms[group].values():
            for field in form:
                value = field.value()
                if field.name == "value":
                    value = format_swedish_number(value)
                data[field.html_name] = "" if value is None else value
    return data


def test_a_too_long_assessment_comment_is_refused_under_the_field_and_kept(client_for):
    tertial = ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    page = client.get(url)
    goal = page.context["goals"][0]
    data = _page_data(page)
    data[f"mal-{goal.pk}-comment"] = TOO_LONG
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert SWEDISH_ERROR in _field_error(html, f"id_mal-{goal.pk}-comment")
    assert TOO_LONG + "</textarea>" in html
    assert not GoalAssessment.objects.filter(
        submission__occasion=tertial, direction_goal=goal, comment__startswith="åå"
    ).exists()

    data[f"mal-{goal.pk}-comment"] = LONGEST
    assert client.post(url, data).status_code == 302
    saved = GoalAssessment.objects.get(submission__occasion=tertial, direction_goal=goal)
    assert saved.comment == LONGEST


@pytest.mark.parametrize(
    ("form_class", "kwargs", "field"),
    [
        (MeasurementEntryForm, {}, "comment"),
        (AssessmentForm, {"mid_year": False}, "justification"),
        (AssessmentForm, {"mid_year": False}, "comment"),
        (ActivityFollowUpForm, {}, "comment"),
        (AssignmentStatusForm, {"row": None}, "comment"),
        (MoveReverseForm, {}, "reason"),
    ],
)
def test_follow_up_texts_without_a_model_field_have_the_limit_too(form_class, kwargs, field):
    assert "maxlength" not in str(form_class(**kwargs)[field])  # no silent cut in the browser
    form = form_class({field: TOO_LONG}, **kwargs)
    assert form.errors[field] == [SWEDISH_ERROR]
    assert form_class({field: LONGEST}, **kwargs).errors.get(field) is None


def test_a_too_long_review_text_is_refused_and_comes_back_in_its_field(client_for, users):
    """Comments, reasons and answers reach the cycle's services, not a model form."""
    from goals import cycle
    from goals.models import OrgUnit, ReviewComment, Submission

    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Delårsrapport")
    submission = Submission.objects.get(occasion=occasion, org_unit=OrgUnit.objects.get(code="SN"))
    assert submission.state == Submission.State.SUBMITTED
    url = reverse("review_submission", args=[submission.pk])
    client = client_for("klk")
    typed = "Motivering " + TOO_LONG
    page = client.post(url, {"action": "return", "reason": typed}, follow=True)
    html = page.content.decode()
    assert "högst 20\u00a0000 får plats" in html
    assert 'aria-describedby="motivering_fel"' in html and typed in html
    submission.refresh_from_db()
    assert submission.state == Submission.State.SUBMITTED
    goal = cycle.goals_for(submission)[0]
    page = client.post(
        url, {"action": "comment", "text": TOO_LONG, "direction_goal": goal.pk}, follow=True
    )
    assert f'id="ny-kommentar-{goal.pk}_fel"' in page.content.decode()
    assert not ReviewComment.objects.filter(submission=submission).exists()
    comment = cycle.comment_add(submission=submission, user=users["klk"], text="Varför?")
    answer = client_for("admin").post(
        reverse("followup_comment", args=[comment.pk]),
        {"answer": TOO_LONG, "next": reverse("followup_edit", args=[occasion.pk, "SN"])},
        follow=True,
    )
    assert f'id="svar-{comment.pk}_fel"' in answer.content.decode()
    assert TOO_LONG in answer.content.decode()
    comment.refresh_from_db()
    assert comment.answer == ""
    # Twenty thousand characters are kept whole.
    client_for("klk").post(url, {"action": "comment", "text": LONGEST})
    assert ReviewComment.objects.get(submission=submission, text=LONGEST)
