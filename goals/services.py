"""Writes that span rows. Every write to the organisation tree goes through here."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from .models import OrgUnit, PlanYear, ReportingOccasion

# Any constant works; it only has to be the same for every writer of the tree.
ORG_TREE_LOCK_KEY = 7_316_001


@contextmanager
def org_tree_lock() -> Iterator[None]:
    """One transaction that holds the organisation tree's write lock.

    django-mptt rewrites lft/rght of many rows on every insert or move; two such
    writes interleaved corrupt the tree. PostgreSQL: a transaction-scoped advisory
    lock. SQLite: the IMMEDIATE transaction mode (settings) already takes the
    database's write lock when the transaction begins.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ORG_TREE_LOCK_KEY])
        yield


def _refresh_tree_fields(org_unit: OrgUnit) -> None:
    """Take lft/rght/level/tree_id from the database: a stale copy would corrupt the tree."""
    opts = org_unit._mptt_meta
    names = [opts.left_attr, opts.right_attr, opts.level_attr, opts.tree_id_attr]
    fresh = OrgUnit.objects.filter(pk=org_unit.pk).values(*names).get()
    for name in names:
        setattr(org_unit, name, fresh[name])


def org_unit_save(*, org_unit: OrgUnit) -> OrgUnit:
    """Create or change (including move) an org unit, validated, under the tree lock."""
    with org_tree_lock():
        if org_unit.pk is not None:
            _refresh_tree_fields(org_unit)
        if org_unit.parent_id is not None:
            # The parent's tree fields too must be current for mptt's insert/move maths.
            org_unit.parent = OrgUnit.objects.get(pk=org_unit.parent_id)
        opts = org_unit._mptt_meta
        org_unit.full_clean(
            exclude=[opts.left_attr, opts.right_attr, opts.level_attr, opts.tree_id_attr]
        )
        org_unit.save()
    return org_unit


def org_unit_create(
    *,
    name: str,
    code: str,
    kind: str,
    parent: OrgUnit | None,
    own_operation: bool = False,
    kolada_id: str = "",
) -> OrgUnit:
    return org_unit_save(
        org_unit=OrgUnit(
            name=name,
            code=code,
            kind=kind,
            parent=parent,
            own_operation=own_operation,
            kolada_id=kolada_id,
        )
    )


def org_unit_delete(*, org_unit: OrgUnit) -> None:
    """Delete a unit with nothing below it; ProtectedError otherwise."""
    with org_tree_lock():
        fresh = OrgUnit.objects.get(pk=org_unit.pk)
        fresh.delete()


def org_tree_rebuild() -> None:
    """Recompute the tree fields, e.g. after a bulk load that bypassed mptt."""
    with org_tree_lock():
        OrgUnit.objects.rebuild()


# Default reporting occasions of a year: (kind, name, period end, opens, deadline),
# dates as (year offset, month, day). An administrator changes them per year.
DEFAULT_OCCASIONS = [
    ("operational_plan", "Verksamhetsplan", (0, 1, 1), (-1, 9, 1), (-1, 11, 30)),
    ("tertial_report", "Tertialrapport 1", (0, 4, 30), (0, 5, 1), (0, 5, 20)),
    ("interim_report", "Delårsrapport", (0, 8, 31), (0, 9, 1), (0, 9, 25)),
    ("annual_report", "Verksamhetsberättelse", (0, 12, 31), (1, 1, 2), (1, 2, 15)),
]


def plan_year_ensure_occasions(*, plan_year: PlanYear) -> None:
    """Give a year its default reporting occasions; existing ones are left as they are."""

    def day(spec):
        offset, month, day_ = spec
        return datetime.date(plan_year.year + offset, month, day_)

    existing = set(plan_year.reporting_occasions.values_list("name", flat=True))
    for kind, name, period_end, opens, deadline in DEFAULT_OCCASIONS:
        if name in existing:
            continue
        occasion = ReportingOccasion(
            plan_year=plan_year,
            kind=kind,
            name=name,
            period_end=day(period_end),
            opens_on=day(opens),
            deadline=day(deadline),
        )
        occasion.full_clean()
        occasion.save()
