"""Who may read and who may order which report (on top of goals.permissions).

- A published report is a public record: everyone logged in reads it, and anonymous
  visitors too when REPORTS_PUBLIC is on (offentlighetsprincipen).
- A draft (and a report still being made) is read by those who see its scope: for a
  committee its editors and readers anywhere in its subtree and those above it (reviewers,
  administrators, the municipality's readers); for the municipality report everyone with a
  role anywhere in the municipality.
- The committee report is ordered by the committee's editors and by reviewers and
  administrators over it; the municipality report by the municipality's reviewers and
  administrators.
"""

from django.conf import settings
from django.db.models import Q

from goals.models import OrgUnit
from goals.permissions import access_for

from .models import GeneratedReport


def sees_scope(user, org_unit: OrgUnit) -> bool:
    return bool(user.is_authenticated) and access_for(user).sees_unit(org_unit)


def may_read(user, report: GeneratedReport) -> bool:
    if report.published:
        return bool(user.is_authenticated) or settings.REPORTS_PUBLIC
    return sees_scope(user, report.org_unit)


def visible_q(user) -> Q:
    """Reports the user may read (see may_read), as a filter on GeneratedReport."""
    published = Q(published=True)
    if not user.is_authenticated:
        return published if settings.REPORTS_PUBLIC else Q(pk__in=[])
    access = access_for(user)
    if access.everything:
        return Q()
    # The units' subtrees, and the units above them (their committee, the municipality).
    scope = access.sees_q("org_unit__")
    return published | scope


def may_generate(user, *, kind: str, org_unit: OrgUnit) -> bool:
    if not user.is_authenticated:
        return False
    access = access_for(user)
    if kind == GeneratedReport.Kind.MUNICIPALITY:
        return access.steers_municipality
    return access.can_edit(org_unit) or access.can_publish(org_unit)


def generation_committees(user) -> list[OrgUnit]:
    """The committees whose report the user may order."""
    if not user.is_authenticated:
        return []
    committees = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE).order_by("name")
    return [
        c for c in committees if may_generate(user, kind=GeneratedReport.Kind.COMMITTEE, org_unit=c)
    ]


def may_generate_municipality(user) -> bool:
    return bool(user.is_authenticated) and access_for(user).steers_municipality


def may_generate_anything(user) -> bool:
    return may_generate_municipality(user) or bool(generation_committees(user))
