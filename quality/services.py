"""The two moves between the quality system and goal steering, and their reversal.

Plain functions with keyword arguments, one transaction each, history on every row they
touch, and a QualityError with a Swedish message when a guard says no.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from core.text import clean_text
from goals.models import Activity, DirectionGoal, Indicator, OrgUnit, PlanYear
from goals.permissions import access_for, is_within, subtree_q, tree_order
from goals.selectors import current_plan_year
from goals.services import operational_plan_create

from .models import Deviation, IndicatorMove, QualityControl


class QualityError(DomainError):
    """A move the guards do not allow; `message` says why, in Swedish."""


_text = clean_text


def is_admin_over(user, unit: OrgUnit) -> bool:
    """An administrator membership over the unit, or a superuser (goals.permissions)."""
    return access_for(user).is_admin_over(unit)


# --- a deviation lifted into a plan -----------------------------------------------------------


def lift_year(deviation: Deviation) -> PlanYear | None:
    """The plan a deviation is lifted into by default: the current plan year's.

    A deviation is lifted to be dealt with now, so it goes into the plan being carried out,
    whatever the day it happened.
    """
    return current_plan_year()


def deviation_lift_to_plan(
    *,
    deviation: Deviation,
    direction_goal: DirectionGoal,
    acting_user,
    plan_year: PlanYear | None = None,
    title: str = "",
    description: str = "",
    responsible: str = "",
) -> Activity:
    """Make the deviation an activity in its unit's plan, under a goal of the unit's committee.

    The unit's plan for the year is created when it is missing (as the planning page's
    "Skapa verksamhetsplan" would): the deviation has to land in a plan, and an empty plan
    is what the unit's editor would create first anyway. The activity and the deviation
    point at each other, and both get a history entry.
    """
    unit = deviation.org_unit
    if not access_for(acting_user).can_edit(unit):
        raise QualityError("Bara redaktörer för enheten kan lyfta avvikelsen till planen.")
    plan_year = plan_year or lift_year(deviation)
    if plan_year is None:
        raise QualityError("Det finns inget verksamhetsår att lyfta avvikelsen till.")
    if plan_year.phase == PlanYear.Phase.ANALYSE:
        raise QualityError(
            f"Verksamhetsåret {plan_year.year} är avslutat; lyft avvikelsen till ett år "
            "som planeras eller genomförs."
        )
    committee = unit.committee
    if committee is None:
        raise QualityError(
            f"{unit.name} hör inte till någon nämnd och har ingen verksamhetsplan; "
            "registrera avvikelsen på den enhet som ska åtgärda den."
        )
    year = plan_year.year
    if (
        direction_goal.committee_id != committee.pk
        or direction_goal.archived
        or not direction_goal.covers_year(year)
    ):
        raise QualityError(
            f"Välj ett av {committee.name}s inriktningsmål som gäller {year}; "
            f"{direction_goal.code} kan inte väljas."
        )
    with transaction.atomic():
        current = Deviation.objects.select_for_update().get(pk=deviation.pk)
        if current.activity_id is not None:
            raise QualityError(
                "Avvikelsen är redan lyft till verksamhetsplanen "
                f"(aktiviteten ”{current.activity.title}”)."
            )
        plan = operational_plan_create(org_unit=unit, plan_year=plan_year, user=acting_user)
        activity = Activity(
            plan=plan,
            direction_goal=direction_goal,
            title=(_text(title) or current.title)[:300],
            description=_text(description) or current.description,
            responsible=_text(responsible)[:200],
        )
        activity.full_clean()
        activity._history_user = acting_user
        activity.save()
        current.activity = activity
        # Lifting is the judgement that it harms goal fulfilment (seed §4.1).
        current.harms_goal_fulfilment = True
        current.version += 1
        current._history_user = acting_user
        current.save()
    return activity


# --- an indicator moved to the quality system -------------------------------------------------


def move_units(*, indicator: Indicator, user) -> list[OrgUnit]:
    """Where the control may go: the committee, or a unit below it that the user edits."""
    committee = indicator.direction_goal.committee
    access = access_for(user)
    units = OrgUnit.objects.filter(subtree_q(committee)).order_by(*tree_order())
    return [u for u in units if access.can_edit(u)]


def indicator_move_to_quality(
    *,
    indicator: Indicator,
    acting_user,
    reason: str,
    org_unit: OrgUnit | None = None,
    on: datetime.date | None = None,
) -> QualityControl:
    """The indicator becomes a quality control and leaves goal steering from `on` (today).

    Its targets and outcomes stay where they are, on the indicator: the control's page shows
    them from there, so their history is the indicator's own and a reversal has nothing to
    copy back. Occasions whose period ends on or after the move no longer show it.
    """
    reason = _text(reason)
    committee = indicator.direction_goal.committee
    org_unit = org_unit or committee
    access = access_for(acting_user)
    if not access.can_edit(committee):
        raise QualityError("Bara nämndens redaktörer kan flytta en indikator.")
    if not reason:
        raise QualityError("Skriv varför indikatorn flyttas till kvalitetsledningssystemet.")
    inside = is_within(org_unit, committee)
    if not inside or not access.can_edit(org_unit):
        raise QualityError(
            f"Välj {committee.name} eller en enhet under nämnden som du ansvarar för."
        )
    on = on or timezone.localdate()
    with transaction.atomic():
        current = Indicator.objects.select_for_update().get(pk=indicator.pk)
        if current.moved_to_quality_on is not None:
            raise QualityError(
                "Indikatorn är redan flyttad till kvalitetsledningssystemet "
                f"({current.moved_to_quality_on:%Y-%m-%d})."
            )
        goal = current.direction_goal
        control = QualityControl.objects.filter(source_indicator=current).first()
        if control is None:
            control = QualityControl(
                source_indicator=current,
                name=current.name[:400],
                description=(
                    f"Flyttad från indikatorn {current.code} under inriktningsmålet "
                    f"{goal.code} {goal.title.rstrip('.')}."
                ),
                frequency=QualityControl.Frequency.YEARLY,
                owner=current.owner,
                unit_of_measure=current.unit_of_measure,
                higher_is_better=current.higher_is_better,
            )
        else:
            # Moved back once and now moved again: the same control, active again.
            control.version += 1
        control.org_unit = org_unit
        control.active = True
        control.full_clean()
        control._history_user = acting_user
        control.save()
        current.moved_to_quality_on = on
        current.version += 1  # an edit form opened before the move must not overwrite it
        current._history_user = acting_user
        current.save()
        move = IndicatorMove(
            indicator=current,
            control=control,
            moved_on=on,
            moved_by=acting_user,
            reason=reason,
        )
        move._history_user = acting_user
        move.save()
    return control


def indicator_move_reverse(*, move: IndicatorMove, acting_user, reason: str = "") -> IndicatorMove:
    """Undo a move: the indicator is back in goal steering, the control inactive (kept)."""
    committee = move.indicator.direction_goal.committee
    if not is_admin_over(acting_user, committee):
        raise QualityError("Bara en administratör för nämnden kan ångra flytten.")
    with transaction.atomic():
        current = IndicatorMove.objects.select_for_update().get(pk=move.pk)
        if current.reversed_at is not None:
            raise QualityError("Flytten är redan ångrad.")
        indicator = Indicator.objects.select_for_update().get(pk=current.indicator_id)
        indicator.moved_to_quality_on = None
        indicator.version += 1
        indicator._history_user = acting_user
        indicator.save()
        control = QualityControl.objects.select_for_update().get(pk=current.control_id)
        control.active = False
        control.version += 1
        control._history_user = acting_user
        control.save()
        current.reversed_by = acting_user
        current.reversed_at = timezone.now()
        current.reversal_reason = _text(reason)
        current._history_user = acting_user
        current.save()
    return current
