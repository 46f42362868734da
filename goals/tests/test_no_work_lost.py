"""No work lost on the follow-up form, and a reviewer who keeps their place (issue 17, 3/4/6).

Answers to the reviewer's comments are fields of the one follow-up form, saved with it; a
conflict (409) lists each field someone else changed, theirs and yours side by side, and
saving again keeps their change unless the user chose otherwise; the review page puts the
decision after the content, returns to the goal commented on, and shows what changed since
the last hand-in. Each test sends what the browser would send: the fields of the page's form.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from goals import cycle
from goals.models import Assessment, GoalAssessment, ReviewComment, Submission

from .test_cycle import submitted

pytestmark = pytest.mark.django_db


# --- what a browser sends ------------------------------------------------------------------------


class _FormReader(HTMLParser):
    """The named fields of one form on a page, with the values the page shows, and its
    buttons: what a browser sends when a button of that form is pressed."""

    def __init__(self, form_class: str):
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.inside = False
        self.fields: dict[str, str] = {}
        self.buttons: list[tuple[str, str, str]] = []  # name, value, text
        self._textarea = None
        self._select = None
        self._button = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = self.form_class in (a.get("class") or "").split()
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button"):
                self.fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in self.fields or "selected" in a:
                self.fields[self._select] = a.get("value", "")
        elif tag == "button":
            self._button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "button" and self._button is not None:
            self.buttons.append(tuple(self._button))
            self._button = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data
        if self._button is not None:
            self._button[2] += data


def followup_form(response) -> _FormReader:
    reader = _FormReader("followup-form")
    reader.feed(response.content.decode())
    textareas = {k: v.removeprefix("\n") for k, v in reader.fields.items()}
    reader.fields = textareas
    return reader


def press(reader: _FormReader, text: str, **changes) -> dict:
    """The form's fields with `changes`, sent by the button whose text starts with `text`."""
    buttons = [b for b in reader.buttons if b[2].strip().startswith(text)]
    assert buttons, f"no button {text!r} in the form: {[b[2] for b in reader.buttons]}"
    name, value, _text = buttons[0]
    data = {**reader.fields, **changes}
    if name:
        data[name] = value
    return data


# --- the set-up: a follow-up sent back with a comment ---------------------------------------------


@pytest.fixture
def tertial():
    from goals.models import ReportingOccasion

    return ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")


@pytest.fixture
def returned(tertial, users):
    """Utbildningsnämnden's Tertialrapport 1, handed in, commented on its first goal and
    sent back: the committee may change it and answer."""
    from goals.models import OrgUnit

    submission = submitted(tertial, OrgUnit.objects.get(code="UN"), users)
    goal = cycle.goals_for(submission)[0]
    comment = cycle.comment_add(
        submission=submission,
        user=users["klk"],
        text="Hur följs läsningen upp?",
        direction_goal=goal,
    )
    submission = cycle.submission_return(
        submission=submission, user=users["klk"], reason="Svara på kommentaren."
    )
    return submission, comment, goal


def url_of(submission):
    return reverse("followup_edit", args=[submission.occasion_id, submission.org_unit.code])


# --- 3. answering a comment loses nothing --------------------------------------------------------


def test_answering_a_comment_saves_the_edits_typed_in_the_follow_up_too(client_for, returned):
    submission, comment, goal = returned
    client = client_for("namnd")
    page = followup_form(client.get(url_of(submission)))
    answer_field = next(k for k in page.fields if k.startswith(f"svar-{comment.pk}"))
    data = press(
        page,
        "Spara svar",
        analysis="Analysen, omskriven innan svaret.",
        **{
            f"mal-{goal.pk}-comment": "Läsningen följs upp varje månad.",
            answer_field: "Vi svarar.",
        },
    )
    response = client.post(url_of(submission), data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#kommentar-{comment.pk}")
    submission.refresh_from_db()
    comment.refresh_from_db()
    assert comment.answer == "Vi svarar."
    assert submission.analysis == "Analysen, omskriven innan svaret."
    assessment = GoalAssessment.objects.get(submission=submission, direction_goal=goal)
    assert assessment.comment == "Läsningen följs upp varje månad."
    followed = client.get(response["Location"].split("#")[0])
    assert "Svaret är sparat." in followed.content.decode()


def test_marking_a_comment_resolved_saves_the_edits_typed_too(client_for, returned):
    submission, comment, _goal = returned
    client = client_for("namnd")
    page = followup_form(client.get(url_of(submission)))
    response = client.post(
        url_of(submission), press(page, "Markera som löst", analysis="Ny analys före lösningen.")
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    submission.refresh_from_db()
    assert comment.resolved_at is not None
    assert submission.analysis == "Ny analys före lösningen."
    assert response["Location"].endswith(f"#kommentar-{comment.pk}")
    shown = client.get(response["Location"].split("#")[0]).content.decode()
    assert "Kommentaren är markerad som löst." in shown


def test_an_answer_typed_is_saved_by_spara_utkast_and_by_spara_och_lamna_in(client_for, returned):
    submission, comment, _goal = returned
    client = client_for("namnd")
    page = followup_form(client.get(url_of(submission)))
    answer_field = next(k for k in page.fields if k.startswith(f"svar-{comment.pk}"))
    client.post(url_of(submission), press(page, "Spara utkast", **{answer_field: "Första svaret"}))
    comment.refresh_from_db()
    assert comment.answer == "Första svaret"
    page = followup_form(client.get(url_of(submission)))
    assert page.fields[answer_field] == "Första svaret"
    data = press(page, "Spara och lämna in", lamna_in_anda="1", **{answer_field: "Andra svaret"})
    client.post(url_of(submission), data)
    comment.refresh_from_db()
    submission.refresh_from_db()
    assert comment.answer == "Andra svaret"
    assert comment.answered_by.username == "namnd"


def test_a_refused_answer_keeps_everything_typed_and_saves_nothing(client_for, returned):
    submission, comment, _goal = returned
    client = client_for("namnd")
    page = followup_form(client.get(url_of(submission)))
    answer_field = next(k for k in page.fields if k.startswith(f"svar-{comment.pk}"))
    too_long = "x" * 20_001
    response = client.post(
        url_of(submission),
        press(page, "Spara utkast", analysis="Inte sparad ännu", **{answer_field: too_long}),
    )
    assert response.status_code == 200
    shown = followup_form(response)
    assert shown.fields[answer_field] == too_long
    assert shown.fields["analysis"] == "Inte sparad ännu"
    assert "som mest 20000 tecken" in response.content.decode()
    submission.refresh_from_db()
    comment.refresh_from_db()
    assert submission.analysis == "Analysen."
    assert comment.answer == ""


def test_every_form_page_warns_before_leaving_with_changes(client_for, returned):
    submission, _comment, _goal = returned
    page = client_for("namnd").get(url_of(submission)).content.decode()
    assert 'src="/static/js/unsaved.js"' in page
    review = client_for("klk").get(reverse("review_submission", args=[submission.pk]))
    assert 'src="/static/js/unsaved.js"' in review.content.decode()


def test_an_answer_sent_from_another_page_counts_as_a_new_version(client_for, returned, users):
    """An answer saved on its own moves the follow-up's version: a form opened before it is
    refused (409) rather than writing the answer back."""
    submission, comment, _goal = returned
    version = Submission.objects.get(pk=submission.pk).version
    cycle.comment_answer(comment=comment, user=users["admin"], answer="Svar i ett annat fönster")
    assert Submission.objects.get(pk=submission.pk).version == version + 1


# --- 4. a conflict never silently undoes someone's change -----------------------------------------


def two_clients(users, first="namnd", second="admin"):
    a, b = Client(), Client()
    a.force_login(users[first])
    b.force_login(users[second])
    return a, b


def test_saving_again_after_a_conflict_keeps_the_other_persons_change(returned, users):
    submission, _comment, goal = returned
    other_goal = cycle.goals_for(submission)[1]
    mine, theirs = two_clients(users)
    url = url_of(submission)
    opened = followup_form(mine.get(url))
    # Anna Berg (admin) changes the analysis and the first goal's comment, and saves.
    page = followup_form(theirs.get(url))
    theirs.post(
        url,
        press(
            page,
            "Spara utkast",
            analysis="Annas analys.",
            **{f"mal-{goal.pk}-comment": "Annas kommentar."},
        ),
    )
    # Nils (namnd) had the form open and changed only the second goal's comment.
    data = press(opened, "Spara utkast", **{f"mal-{other_goal.pk}-comment": "Nils kommentar."})
    conflict = mine.post(url, data)
    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Anna Berg har sparat ändringar medan du redigerade" in html
    fields = {c.name: c for c in conflict.context["field_conflicts"]}
    assert set(fields) == {"analysis", f"mal-{goal.pk}-comment"}
    assert fields["analysis"].theirs == "Annas analys."
    assert fields["analysis"].yours == "Analysen."
    assert fields["analysis"].who == "Anna Berg"
    assert fields["analysis"].choice == "deras"  # Nils did not touch it
    again = followup_form(conflict)
    assert again.fields["analysis"] == "Annas analys."  # prefilled with theirs
    assert again.fields["konflikt-analysis"] == "deras"
    assert again.fields[f"mal-{other_goal.pk}-comment"] == "Nils kommentar."
    # "Spara igen": nothing of Anna's is undone, and Nils's change is saved.
    saved = mine.post(url, press(again, "Spara igen"))
    assert saved.status_code == 302
    submission.refresh_from_db()
    assert submission.analysis == "Annas analys."
    comments = {
        a.direction_goal_id: a.comment for a in GoalAssessment.objects.filter(submission=submission)
    }
    assert comments[goal.pk] == "Annas kommentar."
    assert comments[other_goal.pk] == "Nils kommentar."


def test_a_field_both_changed_defaults_to_yours_and_the_user_chooses(returned, users):
    submission, _comment, goal = returned
    mine, theirs = two_clients(users)
    url = url_of(submission)
    opened = followup_form(mine.get(url))
    page = followup_form(theirs.get(url))
    level = next(
        lv
        for lv in (Assessment.NOT_FULFILLED, Assessment.PARTLY)
        if lv != page.fields[f"mal-{goal.pk}-level"]
    )
    saved = theirs.post(
        url,
        press(
            page,
            "Spara utkast",
            analysis="Annas analys.",
            **{
                f"mal-{goal.pk}-level": level,
                f"mal-{goal.pk}-justification": "Sämre än väntat.",
            },
        ),
    )
    assert saved.status_code == 302, saved.context["error_forms"]
    conflict = mine.post(
        url,
        press(
            opened,
            "Spara utkast",
            analysis="Nils analys.",
            **{f"mal-{goal.pk}-comment": "Nils kommentar."},
        ),
    )
    assert conflict.status_code == 409
    fields = {c.name: c for c in conflict.context["field_conflicts"]}
    assert fields["analysis"].choice == "mitt"  # Nils changed it too
    assert fields[f"mal-{goal.pk}-level"].choice == "deras"
    assert fields[f"mal-{goal.pk}-level"].theirs == Assessment(level).label
    again = followup_form(conflict)
    assert again.fields["analysis"] == "Nils analys."
    assert again.fields[f"mal-{goal.pk}-level"] == level
    # Nils chooses Anna's analysis after all; everything else as the page proposes.
    mine.post(url, press(again, "Spara igen", **{"konflikt-analysis": "deras"}))
    submission.refresh_from_db()
    assessment = GoalAssessment.objects.get(submission=submission, direction_goal=goal)
    assert submission.analysis == "Annas analys."
    assert assessment.level == level
    assert assessment.justification == "Sämre än väntat."
    assert assessment.comment == "Nils kommentar."


def test_choosing_mine_replaces_theirs(returned, users):
    submission, _comment, _goal = returned
    mine, theirs = two_clients(users)
    url = url_of(submission)
    opened = followup_form(mine.get(url))
    theirs.post(url, press(followup_form(theirs.get(url)), "Spara utkast", analysis="Annas."))
    conflict = mine.post(url, press(opened, "Spara utkast", analysis="Nils."))
    again = followup_form(conflict)
    mine.post(url, press(again, "Spara igen", **{"konflikt-analysis": "mitt"}))
    submission.refresh_from_db()
    assert submission.analysis == "Nils."


def test_the_same_user_in_another_window_is_named_as_such(returned, users):
    submission, _comment, _goal = returned
    first, second = two_clients(users, "namnd", "namnd")
    url = url_of(submission)
    opened = followup_form(first.get(url))
    second.post(url, press(followup_form(second.get(url)), "Spara utkast", analysis="Fönster 2."))
    conflict = first.post(url, press(opened, "Spara utkast"))
    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Du har sparat uppföljningen i ett annat fönster" in html
    assert "Ändrat av du, i ett annat fönster" in html
    assert {c.who for c in conflict.context["field_conflicts"]} == {"du, i ett annat fönster"}


def test_an_answer_changed_in_between_is_a_conflict_field_too(returned, users):
    submission, comment, _goal = returned
    mine, theirs = two_clients(users)
    url = url_of(submission)
    opened = followup_form(mine.get(url))
    answer_field = next(k for k in opened.fields if k.startswith(f"svar-{comment.pk}"))
    theirs.post(
        url, press(followup_form(theirs.get(url)), "Spara utkast", **{answer_field: "Annas svar"})
    )
    conflict = mine.post(url, press(opened, "Spara utkast", analysis="Nils analys."))
    assert conflict.status_code == 409
    again = followup_form(conflict)
    assert again.fields[answer_field] == "Annas svar"
    mine.post(url, press(again, "Spara igen"))
    comment.refresh_from_db()
    submission.refresh_from_db()
    assert comment.answer == "Annas svar"
    assert submission.analysis == "Nils analys."


# --- 6. the reviewer -----------------------------------------------------------------------------


def test_the_decision_comes_after_the_content(client_for, tertial, users):
    from goals.models import OrgUnit

    submission = submitted(tertial, OrgUnit.objects.get(code="UN"), users)
    html = client_for("klk").get(reverse("review_submission", args=[submission.pk]))
    html = html.content.decode()
    last_goal = cycle.goals_for(submission)[-1]
    decision = html.index('id="atgarder"')
    assert html.index(f'id="mal-{last_goal.pk}"') < decision
    assert html.index("<h2>Analys</h2>") < decision
    assert html.index('<a href="#atgarder">') < html.index(f'id="mal-{last_goal.pk}"')


def test_after_a_comment_the_reviewer_returns_to_that_goal(client_for, tertial, users):
    from goals.models import OrgUnit

    submission = submitted(tertial, OrgUnit.objects.get(code="UN"), users)
    goal = cycle.goals_for(submission)[-1]
    url = reverse("review_submission", args=[submission.pk])
    client = client_for("klk")
    response = client.post(url, {"action": "comment", "direction_goal": goal.pk, "text": "Varför?"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}#mal-{goal.pk}"
    refused = client.post(url, {"action": "comment", "direction_goal": goal.pk, "text": " "})
    assert refused["Location"] == f"{url}#mal-{goal.pk}"
    general = client.post(url, {"action": "comment", "text": "Allmänt"})
    assert general["Location"] == f"{url}#allmanna-kommentarer"
    assert 'id="allmanna-kommentarer"' in client.get(url).content.decode()


def test_a_follow_up_handed_in_again_shows_what_changed_since(client_for, returned, users):
    submission, comment, goal = returned
    client = client_for("namnd")
    page = followup_form(client.get(url_of(submission)))
    answer_field = next(k for k in page.fields if k.startswith(f"svar-{comment.pk}"))
    data = press(
        page,
        "Spara och lämna in",
        lamna_in_anda="1",
        analysis="Analysen, med läsningen.",
        **{f"mal-{goal.pk}-comment": "Läsningen mäts varje månad.", answer_field: "Se analysen."},
    )
    client.post(url_of(submission), data)
    submission.refresh_from_db()
    assert submission.state == Submission.State.SUBMITTED
    review = client_for("klk").get(reverse("review_submission", args=[submission.pk]))
    html = review.content.decode()
    assert "Ändrat sedan förra inlämningen" in html
    rows = {(r.what, r.field): (r.before, r.after) for r in review.context["changes"]["rows"]}
    assert rows[("Uppföljningen", "Analys")] == ("Analysen.", "Analysen, med läsningen.")
    assert rows[(f"{goal.code} {goal.title}", "Kommentar")] == ("–", "Läsningen mäts varje månad.")
    assert ("–", "Se analysen.") in rows.values()
    assert "Läsningen mäts varje månad." in html
    assert f'href="#mal-{goal.pk}"' in html


def test_a_first_hand_in_shows_no_changes_box(client_for, tertial, users):
    from goals.models import OrgUnit

    submission = submitted(tertial, OrgUnit.objects.get(code="UN"), users)
    review = client_for("klk").get(reverse("review_submission", args=[submission.pk]))
    assert review.context["changes"] is None
    assert "Ändrat sedan förra inlämningen" not in review.content.decode()


def test_an_answer_to_a_comment_resolved_meanwhile_is_kept(client_for, returned, users):
    submission, comment, _goal = returned
    client = client_for("namnd")
    page = followup_form(client.get(url_of(submission)))
    answer_field = next(k for k in page.fields if k.startswith(f"svar-{comment.pk}"))
    # While the answer is typed, the reviewer marks the comment resolved.
    cycle.comment_resolve(comment=comment, user=users["klk"])
    data = press(page, "Spara utkast", analysis="Ny analys.", **{answer_field: "Vårt svar."})
    response = client.post(url_of(submission), data)
    assert response.status_code == 302
    comment.refresh_from_db()
    submission.refresh_from_db()
    assert comment.answer == "Vårt svar."
    assert comment.answered_by == users["namnd"]
    assert comment.resolved_at is not None  # still resolved
    assert submission.analysis == "Ny analys."
    # The page shows the answer with the resolved comment, and offers no field for it now.
    again = client.get(url_of(submission)).content.decode()
    assert "Vårt svar." in again
    assert answer_field not in followup_form(client.get(url_of(submission))).fields


def test_resolving_from_an_older_page_does_not_wipe_an_answer_saved_since(returned, users):
    submission, comment, _goal = returned
    seen_by_reviewer = ReviewComment.objects.get(pk=comment.pk)  # the reviewer's page, loaded
    cycle.comment_answers_save(
        submission=submission, user=users["namnd"], answers={comment.pk: "Svaret."}
    )
    cycle.comment_resolve(comment=seen_by_reviewer, user=users["klk"])
    cycle.comment_resolve(comment=seen_by_reviewer, user=users["admin"])  # a second, late one
    comment.refresh_from_db()
    assert comment.answer == "Svaret."
    assert comment.resolved_by == users["klk"]  # the first resolution stands
