"""Read paths of the quality pages: what the user may see, in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from goals.models import DirectionGoal, Measurement, OrgUnit, Target
from goals.permissions import access_for, subtree_q, subtree_q_for, tree_order

from .models import Deviation, IndicatorMove, QualityControl, QualityMeasurement


def units_visible_to(*, user) -> list[OrgUnit]:
    """Units whose quality work the user sees: the subtrees of their memberships."""
    return list(OrgUnit.objects.filter(access_for(user).subtree_q()).order_by(*tree_order()))


def units_editable_by(*, user) -> QuerySet[OrgUnit]:
    """Units where the user registers controls, measurements and deviations."""
    access = access_for(user)
    if access.edits_everything:
        return OrgUnit.objects.order_by(*tree_order())
    return OrgUnit.objects.filter(subtree_q_for(access.edit_units, "")).order_by(*tree_order())


def _in_unit(queryset, unit: OrgUnit | None):
    if unit is None:
        return queryset
    return queryset.filter(subtree_q(unit, "org_unit__"))


def controls_visible_to(
    *, user, unit: OrgUnit | None = None, active: bool | None = True
) -> QuerySet[QualityControl]:
    controls = QualityControl.objects.filter(access_for(user).subtree_q("org_unit__"))
    controls = _in_unit(controls, unit)
    if active is not None:
        controls = controls.filter(active=active)
    return (
        controls.select_related("org_unit", "owner", "source_indicator")
        .annotate(measurement_count=Count("measurements"))
        .order_by(*tree_order("org_unit__"), "name")
    )


def deviations_visible_to(
    *, user, unit: OrgUnit | None = None, status: str = ""
) -> QuerySet[Deviation]:
    deviations = Deviation.objects.filter(access_for(user).subtree_q("org_unit__"))
    deviations = _in_unit(deviations, unit)
    if status:
        deviations = deviations.filter(status=status)
    return deviations.select_related(
        "org_unit", "reported_by", "activity__plan__plan_year"
    ).order_by("-occurred_on", "-pk")


@dataclass
class ControlPage:
    measurements: list[QualityMeasurement]
    moves: list[IndicatorMove]
    open_move: IndicatorMove | None
    indicator_targets: list[Target]
    indicator_measurements: list[Measurement]


def control_page(*, control: QualityControl) -> ControlPage:
    """The control's own readings, and a moved indicator's targets and outcomes as they are.

    A moved indicator keeps its rows: they are read from the indicator, so what was set and
    measured under goal steering is shown exactly as it was recorded there.
    """
    measurements = list(
        control.measurements.select_related("registered_by").order_by("measured_on", "pk")
    )
    moves = list(
        IndicatorMove.objects.filter(control=control)
        .select_related("indicator", "moved_by", "reversed_by")
        .order_by("-moved_at", "-pk")
    )
    targets: list[Target] = []
    outcomes: list[Measurement] = []
    if control.source_indicator_id:
        targets = list(Target.objects.filter(indicator_id=control.source_indicator_id))
        outcomes = list(
            Measurement.objects.filter(indicator_id=control.source_indicator_id)
            .select_related("occasion__plan_year")
            .order_by("occasion__period_end")
        )
    return ControlPage(
        measurements=measurements,
        moves=moves,
        open_move=next((m for m in moves if m.reversed_at is None), None),
        indicator_targets=sorted(targets, key=lambda t: t.year),
        indicator_measurements=outcomes,
    )


def lift_goals(*, committee: OrgUnit, year: int) -> QuerySet[DirectionGoal]:
    """The goals a deviation can be lifted under: the committee's, valid the year, active."""
    return (
        DirectionGoal.objects.filter(
            committee=committee, archived=False, valid_from__lte=year, valid_to__gte=year
        )
        .select_related("strategic_area")
        .order_by("strategic_area__number", "code")
    )


def open_move_for(indicator) -> IndicatorMove | None:
    return (
        IndicatorMove.objects.filter(indicator=indicator, reversed_at__isnull=True)
        .select_related("control")
        .first()
    )
