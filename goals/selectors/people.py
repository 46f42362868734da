"""Who is told about a follow-up: the reviewers and editors over a unit."""

from django.contrib.auth import get_user_model

from ..models import (
    Membership,
    OrgUnit,
)


def _members_over(unit: OrgUnit, role: str):
    """Active users with an e-mail address whose `role` membership covers the unit."""
    return (
        get_user_model()
        .objects.filter(
            memberships__org_unit__in=unit.get_ancestors(include_self=True),
            memberships__role=role,
            is_active=True,
        )
        .exclude(email="")
        .distinct()
    )


def reviewers_for(unit: OrgUnit):
    """Users with a reviewer membership over the unit (for notices)."""
    return _members_over(unit, Membership.Role.REVIEWER)


def editors_for(unit: OrgUnit):
    return _members_over(unit, Membership.Role.EDITOR)
