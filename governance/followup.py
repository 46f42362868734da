"""The "Uppdrag" part of a follow-up: one status and comment per open assignment.

goals.cycle_views builds it beside its own forms, validates it with them and saves it in the
same transaction as the rest of the follow-up (governance.services.assignment_statuses_save).
Statuses are optional: a follow-up can be handed in without them.
"""

from .forms import AssignmentStatusForm
from .selectors import FollowUpAssignment, followup_assignments
from .services import assignment_statuses_save

__all__ = ["AssignmentStatusForms", "assignment_statuses_save", "followup_assignments"]


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
