"""One place decides access: a Membership covers its org unit and everything below it."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Membership, OrgUnit

# --- the organisation tree: every subtree rule of the project is written here -------------
# django-mptt keeps each unit's subtree as an interval (tree_id, lft, rght). Nothing outside
# this module reads those fields: it asks the functions below.


def tree_order(prefix: str = "") -> tuple[str, str]:
    """order_by() arguments for units (at `prefix`) in the tree's order, parents first."""
    return (f"{prefix}tree_id", f"{prefix}lft")


def subtree_q(unit: OrgUnit, prefix: str = "", *, include_self: bool = True) -> Q:
    """Rows whose org unit (at `prefix`) is `unit` or lies below it (only below it when
    include_self is False)."""
    low, high = ("lft__gte", "rght__lte") if include_self else ("lft__gt", "rght__lt")
    return Q(
        **{
            f"{prefix}tree_id": unit.tree_id,
            f"{prefix}{low}": unit.lft,
            f"{prefix}{high}": unit.rght,
        }
    )


def above_q(unit: OrgUnit, prefix: str = "") -> Q:
    """Rows whose org unit (at `prefix`) is `unit` or lies above it: the unit's chain."""
    return Q(
        **{
            f"{prefix}tree_id": unit.tree_id,
            f"{prefix}lft__lte": unit.lft,
            f"{prefix}rght__gte": unit.rght,
        }
    )


def subtree_q_for(units, prefix: str) -> Q:
    """Rows whose org unit (at `prefix`) lies in the subtree of one of `units`."""
    q = Q(pk__in=[])
    for unit in units:
        q |= subtree_q(unit, prefix)
    return q


def is_within(unit: OrgUnit, top: OrgUnit, *, include_self: bool = True) -> bool:
    """Whether `unit` is `top` or lies below it (only below it when include_self is False)."""
    if unit.tree_id != top.tree_id:
        return False
    if include_self:
        return top.lft <= unit.lft and unit.rght <= top.rght
    return top.lft < unit.lft and unit.rght < top.rght


def tree_position(unit: OrgUnit) -> tuple[int, int]:
    """A sort key that puts units in the tree's order (parents before their units)."""
    return (unit.tree_id, unit.lft)


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
            q |= above_q(unit, prefix)
        return q & Q(**{f"{prefix}kind": OrgUnit.Kind.COMMITTEE})

    def covers(self, unit: OrgUnit) -> bool:
        return self.everything or self._any_covers(self.units, unit)

    def sees_q(self, prefix: str = "") -> Q:
        """Rows whose org unit (at `prefix`) the user sees: below a membership or above it."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        for unit in self.units:
            q |= subtree_q(unit, prefix) | above_q(unit, prefix)
        return q

    def sees_followup(self, unit: OrgUnit) -> bool:
        """A committee's follow-up is read from above and below it; a unit's only from above."""
        return self.sees_unit(unit) if unit.kind == OrgUnit.Kind.COMMITTEE else self.covers(unit)

    def can_edit(self, unit: OrgUnit) -> bool:
        """Editors and administrators change what lies in their membership's subtree."""
        return self.edits_everything or self._any_covers(self.edit_units, unit)

    @staticmethod
    def _any_covers(units, unit: OrgUnit) -> bool:
        return any(is_within(unit, u) for u in units)

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

    def is_admin_over(self, unit: OrgUnit) -> bool:
        """An administrator membership over the unit, or a superuser."""
        return self.edits_everything or self._any_covers(self.admin_units, unit)

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
        return self.covers(unit) or any(is_within(u, unit) for u in self.units)


def reads_everything() -> Access:
    """The access a report is written with: the whole chain of its scope, no user behind it."""
    return Access(everything=True)


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


def require_followup_visible(user, unit: OrgUnit) -> None:
    """404 unless the user reads the unit's follow-up (Access.sees_followup)."""
    if not access_for(user).sees_followup(unit):
        raise Http404


def require_unit_edit(user, unit: OrgUnit) -> None:
    """A unit's own things (plans, quality controls, deviations): 404 outside the user's
    subtree, 403 where the user may only read them."""
    require_unit_visible(user, unit)
    if not access_for(user).can_edit(unit):
        raise PermissionDenied("Du har läsbehörighet här men kan inte ändra.")
