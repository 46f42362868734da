"""Answers to the reviewer's comments as fields of the one follow-up form.

An answer used to be a form of its own, and sending it threw away whatever else was typed in
the follow-up. Now each open comment's answer is a field of the follow-up form, saved with
it by the same versioned save; "Spara svar" and "Markera som löst" are that form's buttons
too, so whichever button is pressed, everything typed is saved.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.formats import parse_id
from core.forms import AccessibleFormMixin, long_text_field

ANSWER_ACTION = "svar-"
RESOLVE_ACTION = "lost-"


class CommentAnswerForm(AccessibleFormMixin, forms.Form):
    answer = long_text_field(label=_("Svar på kommentaren"), required=False)

    def __init__(self, *args, comment, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.comment = comment
        self.fields["answer"].required = required
        self.fields["answer"].error_messages["required"] = _("Skriv ett svar.")
        self._describe()


def answer_forms(comments: dict, *, data=None) -> dict:
    """One answer field per open comment (goal comments and general ones), by comment id.

    `data`: the posted follow-up; "Spara svar" on a comment requires that comment's answer.
    A comment resolved after the page was opened keeps its field when an answer to it was
    posted: the answer typed is saved with the rest, not dropped.
    """
    pressed = comment_pressed(data, ANSWER_ACTION) if data is not None else None
    found = {}
    for rows in comments.values():
        for c in rows:
            posted = data is not None and f"svar-{c.pk}-answer" in data
            if c.resolved_at is not None and not posted:
                continue
            found[c.pk] = CommentAnswerForm(
                data,
                prefix=f"svar-{c.pk}",
                comment=c,
                required=pressed == c.pk,
                initial={"answer": c.answer},
            )
    return found


def comment_pressed(data, action: str) -> int | None:
    """The comment whose "Spara svar" (or "Markera som löst") button sent the form."""
    value = (data or {}).get("action", "")
    if not value.startswith(action):
        return None
    return parse_id(value[len(action) :])


def answers_input(forms_by_comment: dict) -> dict[int, str]:
    """The answers as typed (cleaned), for the save; the unchanged ones too (they are skipped)."""
    return {pk: f.cleaned_data.get("answer", "") for pk, f in forms_by_comment.items()}
