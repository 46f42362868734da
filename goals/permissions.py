"""One place decides access: a Membership covers its org unit and everything below it."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Membership, OrgUnit


def subtree_q_for(units, prefix: str) -> Q:
    """Rows whose org unit (at `prefix`) lies in the subtree of one of `units`."""
    q = Q(pk__in=[])
    for unit in units:
        q |= Q(
            **{
                f"{prefix}tree_id": unit.tree_id,
                f"{prefix}lft__gte": unit.lft,
                f"{prefix}rght__lte": unit.rght,
            }
        )
    return q


@dataclass
class Access:
    """What one user may see, computed once per request."""

    everything: bool
    units: list[OrgUnit] = field(default_factory=list)
    roles: set[str] = field(default_factory=set)
    edit_units: list[OrgUnit] = field(default_factory=list)
    edits_everything: bool = False
    review_units: list[OrgUnit] = field(default_factory=list)
    admin_units: list[OrgUnit] = field(default_factory=list)

    def subtree_q(self, prefix: str = "") -> Q:
        """Rows whose org unit (at `prefix`) lies in a membership's subtree."""
        if self.everything:
            return Q()
        return subtree_q_for(self.units, prefix)

    def committee_q(self, prefix: str = "") -> Q:
        """Committees the user plans under: those in the subtree and the one above it."""
        if self.everything:
            return Q(**{f"{prefix}kind": OrgUnit.Kind.COMMITTEE})
        q = self.subtree_q(prefix)
        for unit in self.units:
            q |= Q(
                **{
                    f"{prefix}tree_id": unit.tree_id,
                    f"{prefix}lft__lte": unit.lft,
                    f"{prefix}rght__gte": unit.rght,
                }
            )
        return q & Q(**{f"{prefix}kind": OrgUnit.Kind.COMMITTEE})

    def covers(self, unit: OrgUnit) -> bool:
        return self.everything or self._any_covers(self.units, unit)

    def can_edit(self, unit: OrgUnit) -> bool:
        """Editors and administrators change what lies in their membership's subtree."""
        return self.edits_everything or self._any_covers(self.edit_units, unit)

    @staticmethod
    def _any_covers(units, unit: OrgUnit) -> bool:
        return any(
            u.tree_id == unit.tree_id and u.lft <= unit.lft and unit.rght <= u.rght for u in units
        )

    def can_review(self, unit: OrgUnit) -> bool:
        """Return and approve: only a reviewer (kommunledningskontoret) over the unit."""
        return self._any_covers(self.review_units, unit)

    def can_publish(self, unit: OrgUnit) -> bool:
        """Publish: a reviewer or an administrator over the unit."""
        return (
            self.edits_everything
            or self.can_review(unit)
            or self._any_covers(self.admin_units, unit)
        )

    def review_q(self, prefix: str = "") -> Q:
        """Rows whose org unit a reviewer or administrator membership covers."""
        if self.edits_everything:
            return Q()
        return subtree_q_for(self.review_units + self.admin_units, prefix)

    @property
    def steers_municipality(self) -> bool:
        """Reviewer or administrator for the whole municipality (e.g. starts a new year)."""
        return self.edits_everything or any(
            u.kind == OrgUnit.Kind.MUNICIPALITY for u in self.review_units + self.admin_units
        )

    @property
    def reviews_anything(self) -> bool:
        return self.edits_everything or bool(self.review_units or self.admin_units)

    @property
    def edits_anything(self) -> bool:
        return self.edits_everything or bool(self.edit_units)

    def sees_unit(self, unit: OrgUnit) -> bool:
        """The unit lies in a membership's subtree or above a membership (its chain)."""
        if self.everything:
            return True
        return self.covers(unit) or any(
            u.tree_id == unit.tree_id and unit.lft <= u.lft and u.rght <= unit.rght
            for u in self.units
        )


def access_for(user) -> Access:
    """The user's access; cached on the user object for the request."""
    cached = getattr(user, "_styr_access", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        access = Access(everything=False)
    else:
        memberships = list(Membership.objects.filter(user=user).select_related("org_unit"))
        units = [m.org_unit for m in memberships]
        everything = user.is_superuser or any(u.kind == OrgUnit.Kind.MUNICIPALITY for u in units)
        edit_units = [
            m.org_unit
            for m in memberships
            if m.role in (Membership.Role.EDITOR, Membership.Role.ADMIN)
        ]
        access = Access(
            everything=everything,
            units=units,
            roles={m.role for m in memberships},
            edit_units=edit_units,
            edits_everything=user.is_superuser,
            review_units=[m.org_unit for m in memberships if m.role == Membership.Role.REVIEWER],
            admin_units=[m.org_unit for m in memberships if m.role == Membership.Role.ADMIN],
        )
    user._styr_access = access
    return access


def require_committee_visible(user, committee: OrgUnit) -> None:
    if not access_for(user).sees_unit(committee):
        raise Http404


def require_unit_visible(user, unit: OrgUnit) -> None:
    if not access_for(user).covers(unit):
        raise Http404


def require_edit(user, unit: OrgUnit) -> None:
    """404 when the user cannot see the unit's things, 403 when they may only read them.

    A committee's goals are seen from above and below it; a unit's plan only from above.
    """
    access = access_for(user)
    seen = access.sees_unit(unit) if unit.kind == OrgUnit.Kind.COMMITTEE else access.covers(unit)
    if not seen:
        raise Http404
    if not access.can_edit(unit):
        raise PermissionDenied("Du har läsbehörighet här men kan inte ändra.")
