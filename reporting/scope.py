"""Which org unit a report is stored under, and which committees' submissions it covers."""

from goals.models import OrgUnit, Submission
from goals.permissions import subtree_q, tree_order

from .models import GeneratedReport

Kind = GeneratedReport.Kind


class ReportRequestError(ValueError):
    """The report cannot be ordered as asked (wrong scope, no municipality…); Swedish text."""


def municipality_root() -> OrgUnit:
    root = (
        OrgUnit.objects.filter(kind=OrgUnit.Kind.MUNICIPALITY, parent__isnull=True)
        .order_by(*tree_order())
        .first()
    )
    if root is None:
        raise ReportRequestError("Organisationen saknar en kommun att göra kommunens rapport för.")
    return root


def report_scope(*, kind: str, org_unit: OrgUnit | None) -> OrgUnit:
    """The org unit a report is stored under: the committee, or the municipality root."""
    if kind == Kind.COMMITTEE:
        if org_unit is None or org_unit.kind != OrgUnit.Kind.COMMITTEE:
            raise ReportRequestError("Nämndens rapport görs för en nämnd.")
        return org_unit
    if kind == Kind.MUNICIPALITY:
        if org_unit is None:
            return municipality_root()
        if org_unit.kind != OrgUnit.Kind.MUNICIPALITY:
            raise ReportRequestError("Kommunens rapport görs för kommunen som helhet.")
        return org_unit
    raise ReportRequestError(f"Okänd rapporttyp: {kind}")


def covered_committees(*, kind: str, org_unit: OrgUnit) -> list[OrgUnit]:
    """The committees whose submissions a report covers."""
    if kind == Kind.COMMITTEE:
        return [org_unit]
    return list(
        OrgUnit.objects.filter(subtree_q(org_unit, include_self=False), kind=OrgUnit.Kind.COMMITTEE)
    )


def covered_submissions_published(*, kind: str, occasion, org_unit: OrgUnit) -> bool:
    """True when every committee the report covers has a published submission for the occasion.

    The same rule as the renderer's UTKAST mark (reporting.data: a report is a draft unless
    every committee's submission in it is published); a committee without a submission
    keeps the report a draft.
    """
    committees = covered_committees(kind=kind, org_unit=org_unit)
    if not committees:
        return False
    published = Submission.objects.filter(
        occasion=occasion, org_unit__in=committees, state=Submission.State.PUBLISHED
    ).count()
    return published == len(committees)
