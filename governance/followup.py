"""The "Uppdrag" part of a follow-up: one status and comment per open assignment.

followup.views builds it beside its own forms, validates it with them, and
followup.services.followup_save saves it (governance.services.assignment_statuses_save) in
the same transaction as the rest of the follow-up.
Statuses are optional: a follow-up can be handed in without them.
"""

from types import SimpleNamespace

from django.urls import reverse

from core.formats import date_from_iso, iso_text
from goals.models import OrgUnit
from goals.permissions import access_for

from .forms import AssignmentStatusForm
from .selectors import FollowUpAssignment, followup_assignments
from .services import assignment_statuses_save

__all__ = [
    "AssignmentStatusForms",
    "assignment_statuses_save",
    "followup_assignments",
    "freeze_assignments",
    "frozen_assignment_rows",
]


class AssignmentStatusForms:
    """The status forms of one follow-up, bound to `data` when given."""

    def __init__(self, data=None, *, occasion, unit, submission, user=None):
        self.rows: list[FollowUpAssignment] = (
            followup_assignments(occasion=occasion, unit=unit, submission=submission, user=user)
            if occasion.is_follow_up
            else []
        )
        self.forms = [
            AssignmentStatusForm(
                data,
                prefix=f"uppdrag-{row.assignment.pk}",
                row=row,
                initial={
                    "status": row.status.status if row.status else "",
                    "comment": row.status.comment if row.status else "",
                },
            )
            for row in self.rows
        ]

    def __iter__(self):
        return iter(self.forms)

    def __len__(self):
        return len(self.forms)

    @property
    def error_items(self) -> list[tuple[str, str]]:
        """(field id, "Status, <uppdrag>: <fel>") for the error summary."""
        items = []
        for form in self.forms:
            if not form.is_bound:
                continue
            for name, errors in form.errors.items():
                field = form[name]
                for error in errors:
                    text = f"{field.label}, {form.row.assignment.short_text}: {error}"
                    items.append((field.auto_id, text))
        return items

    def is_valid(self) -> bool:
        return all(f.is_valid() for f in self.forms)


# --- a published follow-up keeps its assignments as they were -------------------------------


def freeze_assignments(sender, *, submission, data, **kwargs):
    """goals.frozen.followup_freezing: the assignment rows as plain data."""
    rows = followup_assignments(
        occasion=submission.occasion, unit=submission.org_unit, submission=submission
    )
    data["assignments"] = [
        {
            "pk": row.assignment.pk,
            "receiving_unit": {
                "pk": row.assignment.receiving_unit_id,
                "name": row.assignment.receiving_unit.name,
            },
            "short_text": row.assignment.short_text,
            "given_by_label": row.assignment.given_by_label,
            "given_on": iso_text(row.assignment.given_on),
            "deadline": iso_text(row.assignment.deadline),
            "closed_on": iso_text(row.assignment.closed_on),
            "status": (
                {
                    "status": row.status.status,
                    "label": str(row.status.get_status_display()),
                    "css": row.status.css,
                    "comment": row.status.comment,
                }
                if row.status
                else None
            ),
        }
        for row in rows
    ]


def frozen_assignment_rows(data: dict, *, user) -> list:
    """The frozen rows, of the units the user sees today, shaped like FollowUpAssignment."""
    stored = data.get("assignments", [])
    units = {
        u.pk: u for u in OrgUnit.objects.filter(pk__in={r["receiving_unit"]["pk"] for r in stored})
    }
    access = access_for(user)
    rows = []
    for r in stored:
        unit = units.get(r["receiving_unit"]["pk"])
        if unit is None or not access.sees_unit(unit):
            continue
        status = r["status"]
        rows.append(
            SimpleNamespace(
                assignment=SimpleNamespace(
                    pk=r["pk"],
                    get_absolute_url=reverse("governance:assignment_detail", args=[r["pk"]]),
                    short_text=r["short_text"],
                    receiving_unit=SimpleNamespace(name=r["receiving_unit"]["name"]),
                    given_by_label=r["given_by_label"],
                    given_on=date_from_iso(r["given_on"]),
                    deadline=date_from_iso(r["deadline"]),
                    closed_on=date_from_iso(r["closed_on"]),
                ),
                status=(
                    SimpleNamespace(
                        status=status["status"],
                        get_status_display=status["label"],
                        css=status["css"],
                        comment=status["comment"],
                    )
                    if status
                    else None
                ),
            )
        )
    return rows
