"""Reads of governing documents and assignments: who sees what, in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from goals.models import OrgUnit, ReportingOccasion, Submission
from goals.permissions import Access, access_for, is_within, subtree_q, subtree_q_for, tree_order

from .models import Assignment, AssignmentStatus, GoverningDocument

REVIEW_DAYS_DEFAULT = 90
REVIEW_DAYS_MAX = 3650


def sees_q(access: Access, prefix: str = "") -> Q:
    """Rows whose org unit (at `prefix`) the user sees: below a membership or above it."""
    return access.sees_q(prefix)


# --- governing documents -------------------------------------------------------------------


def documents_visible_to(*, user) -> QuerySet[GoverningDocument]:
    """Documents whose owning unit, one of whose units or one of whose goals the user sees.

    A goal's page lists the documents its mission rests on, so whoever sees the goal sees
    them, even when another unit owns the document.
    """
    access = access_for(user)
    if access.everything:
        return GoverningDocument.objects.all()
    if not access.units:
        return GoverningDocument.objects.none()
    through = GoverningDocument.units.through
    linked = through.objects.filter(sees_q(access, "orgunit__")).values("governingdocument_id")
    goals = GoverningDocument.direction_goals.through
    via_goal = goals.objects.filter(sees_q(access, "directiongoal__committee__")).values(
        "governingdocument_id"
    )
    return GoverningDocument.objects.filter(
        sees_q(access, "owning_unit__") | Q(pk__in=linked) | Q(pk__in=via_goal)
    )


def document_may_see(*, user, document: GoverningDocument) -> bool:
    return documents_visible_to(user=user).filter(pk=document.pk).exists()


def document_list(
    *, user, kind: str = "", level: str = "", unit: OrgUnit | None = None, search: str = ""
) -> list[GoverningDocument]:
    documents = documents_visible_to(user=user).select_related("owning_unit")
    if kind:
        documents = documents.filter(kind=kind)
    if level:
        documents = documents.filter(level=level)
    if unit is not None:
        linked = GoverningDocument.units.through.objects.filter(orgunit=unit).values(
            "governingdocument_id"
        )
        documents = documents.filter(Q(owning_unit=unit) | Q(pk__in=linked))
    found = list(documents.order_by("title", "pk"))
    if search:
        # In Python: SQLite compares only ASCII letters without regard to case (Å, Ä, Ö).
        wanted = search.casefold()
        found = [d for d in found if wanted in d.title.casefold()]
    return found


def document_detail(*, document: GoverningDocument, user) -> dict:
    access = access_for(user)
    units = [u for u in document.units.order_by(*tree_order()) if access.sees_unit(u)]
    goals = [
        g
        for g in document.direction_goals.select_related("committee").order_by("code")
        if access.sees_unit(g.committee)
    ]
    return {"units": units, "goals": goals}


@dataclass
class ReviewRow:
    document: GoverningDocument
    overdue: bool
    days: int  # days left (negative: days late)

    @property
    def late_days(self) -> int:
        return max(-self.days, 0)


def documents_to_review(*, user, today: datetime.date, days: int) -> list[ReviewRow]:
    """Documents past their review date or within `days` of it, earliest first."""
    until = today + datetime.timedelta(days=days)
    documents = (
        documents_visible_to(user=user)
        .filter(next_review_on__isnull=False, next_review_on__lte=until)
        .select_related("owning_unit")
        .order_by("next_review_on", "title", "pk")
    )
    return [
        ReviewRow(
            document=d,
            overdue=d.next_review_on < today,
            days=(d.next_review_on - today).days,
        )
        for d in documents
    ]


def municipal_documents_without_review(*, user) -> list[GoverningDocument]:
    """Municipal documents normally have a review date; these have none."""
    return list(
        documents_visible_to(user=user)
        .filter(level=GoverningDocument.Level.MUNICIPAL, next_review_on__isnull=True)
        .select_related("owning_unit")
        .order_by("title", "pk")
    )


def documents_for_goal(*, user, goal) -> list[GoverningDocument]:
    return list(
        documents_visible_to(user=user)
        .filter(direction_goals=goal)
        .select_related("owning_unit")
        .order_by("title", "pk")
    )


def documents_for_unit(*, user, unit: OrgUnit) -> list[GoverningDocument]:
    """Documents the unit's mission rests on, and the ones it owns."""
    linked = GoverningDocument.units.through.objects.filter(orgunit=unit).values(
        "governingdocument_id"
    )
    return list(
        documents_visible_to(user=user)
        .filter(Q(owning_unit=unit) | Q(pk__in=linked))
        .select_related("owning_unit")
        .order_by("title", "pk")
    )


# --- assignments -------------------------------------------------------------------------


def assignments_visible_to(*, user) -> QuerySet[Assignment]:
    """An assignment is seen by those who see its receiving unit (the giver lies above it)."""
    access = access_for(user)
    if not access.everything and not access.units:
        return Assignment.objects.none()
    return Assignment.objects.filter(sees_q(access, "receiving_unit__"))


def assignment_list(*, user, state: str = "", unit: OrgUnit | None = None) -> list[Assignment]:
    assignments = assignments_visible_to(user=user).select_related(
        "given_by", "receiving_unit", "direction_goal"
    )
    if state == "oppna":
        assignments = assignments.filter(closed_on__isnull=True)
    elif state == "avslutade":
        assignments = assignments.filter(closed_on__isnull=False)
    if unit is not None:
        assignments = assignments.filter(subtree_q(unit, "receiving_unit__"))
    return list(assignments.order_by("closed_on", "deadline", "pk"))


def assignment_statuses(*, assignment: Assignment) -> list[AssignmentStatus]:
    return list(
        assignment.statuses.select_related(
            "submission__occasion__plan_year", "submission__org_unit"
        ).order_by("submission__occasion__period_end", "submission__org_unit__name")
    )


def open_at_q(occasion: ReportingOccasion, prefix: str = "") -> Q:
    """Assignments given by the occasion's period end and not closed before its year began.

    One finished during the year is still reported that year, so the year's reports say so.
    """
    year_start = datetime.date(occasion.plan_year.year, 1, 1)
    return Q(**{f"{prefix}given_on__lte": occasion.period_end}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gte": year_start})
    )


@dataclass
class FollowUpAssignment:
    assignment: Assignment
    status: AssignmentStatus | None


def followup_assignments(
    *, occasion: ReportingOccasion, unit: OrgUnit, submission: Submission | None, user=None
) -> list[FollowUpAssignment]:
    """The assignments a follow-up reports on: those of the unit and below, open at the occasion.

    A follow-up handed in shows what was handed in: an assignment with a stored status stays
    even if it no longer fits the rule. Two queries whatever the number of assignments. With
    `user`, only the assignments of units the user sees.
    """
    statuses = (
        {s.assignment_id: s for s in AssignmentStatus.objects.filter(submission=submission)}
        if submission is not None
        else {}
    )
    in_subtree = subtree_q(unit, "receiving_unit__")
    assignments = (
        Assignment.objects.filter((in_subtree & open_at_q(occasion)) | Q(pk__in=list(statuses)))
        .select_related("given_by", "receiving_unit")
        .order_by("deadline", "pk")
    )
    rows = [FollowUpAssignment(a, statuses.get(a.pk)) for a in assignments]
    if user is not None:
        # A unit head reading the committee's follow-up sees their own unit's, not siblings'.
        access = access_for(user)
        rows = [r for r in rows if access.sees_unit(r.assignment.receiving_unit)]
    return rows


def report_assignments(*, occasion: ReportingOccasion, committees: list[OrgUnit]) -> dict:
    """Per committee id: its and its units' assignments open at the occasion, as plain rows.

    The status is the one in the committee's own follow-up, else the one the receiving unit
    reported for the occasion. Two queries for all committees of a report.
    """
    if not committees:
        return {}
    in_any = subtree_q_for(committees, "receiving_unit__")
    assignments = list(
        Assignment.objects.filter(in_any & open_at_q(occasion))
        .select_related("given_by", "receiving_unit")
        .prefetch_related(
            Prefetch(
                "statuses",
                queryset=AssignmentStatus.objects.filter(
                    submission__occasion=occasion
                ).select_related("submission"),
                to_attr="occasion_statuses",
            )
        )
        .order_by("deadline", "pk")
    )
    result: dict[int, list[dict]] = {c.pk: [] for c in committees}
    for c in committees:
        for a in assignments:
            unit = a.receiving_unit
            if not is_within(unit, c):
                continue
            by_unit = {s.submission.org_unit_id: s for s in a.occasion_statuses}
            status = by_unit.get(c.pk) or by_unit.get(unit.pk)
            shown = status if occasion.is_follow_up else None
            result[c.pk].append(
                {
                    "text": a.text,
                    "receiving_unit": unit.name,
                    "given_by": a.given_by_label,
                    "given_on": a.given_on.isoformat(),
                    "deadline": a.deadline.isoformat(),
                    "closed_on": a.closed_on.isoformat() if a.closed_on else None,
                    "status": shown.status if shown else "",
                    "status_label": shown.get_status_display() if shown else "–",
                    "comment": shown.comment if shown else "",
                }
            )
    return result
