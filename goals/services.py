"""Writes that span rows. Every write to the organisation tree goes through here."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction

from core.errors import DomainError

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


# --- planning: saves that never overwrite a newer version ----------------------------


class StaleEdit(DomainError):
    """The row was saved by someone else after the edit began."""

    def __init__(self, *, current, base_version: int):
        super().__init__(f"{type(current).__name__} {current.pk}: version {current.version}")
        self.current = current
        self.base_version = base_version


def save_versioned(*, form, user, formsets=()):
    """Save a valid ModelForm (and inline formsets) unless the row moved past the form's version.

    The row is locked for the check and the write (SELECT … FOR UPDATE on PostgreSQL; the
    IMMEDIATE transaction on SQLite), so two saves from the same version cannot both win.
    """
    instance = form.instance
    model = type(instance)
    with transaction.atomic():
        if instance.pk:
            current_version = (
                model.objects.select_for_update()
                .filter(pk=instance.pk)
                .values_list("version", flat=True)
                .get()
            )
            if current_version != form.base_version:
                raise StaleEdit(
                    current=model.objects.get(pk=instance.pk), base_version=form.base_version
                )
            next_version = current_version + 1
        else:
            next_version = 1
        obj = form.save(commit=False)
        obj.version = next_version
        obj._history_user = user
        obj.save()
        form.save_m2m()
        for formset in formsets:
            formset.instance = obj
            formset.save()
    return obj


def set_archived(*, obj, archived: bool, base_version: int, user):
    """Archive or restore a direction goal: it stays in history and earlier reports."""
    model = type(obj)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=obj.pk)
        if current.version != base_version:
            raise StaleEdit(current=current, base_version=base_version)
        current.archived = archived
        current.version += 1
        current._history_user = user
        current.save()
    return current


def operational_plan_create(*, org_unit, plan_year, user):
    """The unit's plan for the year, created empty when it does not exist yet."""
    from .models import OperationalPlan

    with transaction.atomic():
        plan = OperationalPlan.objects.filter(org_unit=org_unit, plan_year=plan_year).first()
        if plan is not None:
            return plan
        plan = OperationalPlan(org_unit=org_unit, plan_year=plan_year)
        plan.full_clean(validate_constraints=False)
        plan._history_user = user
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError:
            # Someone created it a moment ago: theirs is the plan.
            return OperationalPlan.objects.get(org_unit=org_unit, plan_year=plan_year)
    return plan


def operational_plans_create(*, org_units, plan_year, user) -> int:
    """Create the year's missing plans for several units at once; returns how many."""
    created = 0
    with transaction.atomic():
        for org_unit in org_units:
            before = org_unit.operational_plans.filter(plan_year=plan_year).exists()
            if not before:
                operational_plan_create(org_unit=org_unit, plan_year=plan_year, user=user)
                created += 1
    return created
