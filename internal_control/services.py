"""Writes of intern kontroll: risks, the plan and its controls, adoption, control results.

Keyword-only functions, one transaction each, history on every row they touch (the
`_history_user` of django-simple-history), and an InternalControlError with a Swedish
message when a guard says no. Every one asks goals.permissions first.
"""

import datetime

from django.db import transaction

from core.errors import DomainError
from core.text import clean_text
from goals.models import OrgUnit, PlanYear, Submission
from goals.permissions import access_for
from goals.services import StaleEdit, save_versioned
from quality.models import Deviation

from .models import Control, ControlPlan, ControlResult, Risk


class InternalControlError(DomainError):
    """A write the rules of intern kontroll refuse; `message` says why, in Swedish."""


def _require_edit(user, committee: OrgUnit) -> None:
    if not access_for(user).can_edit(committee):
        raise InternalControlError(
            f"Bara redaktörer för {committee.name} kan ändra nämndens interna kontroll."
        )


_UNKNOWN = object()


def results_open(*, occasion, committee, submission=_UNKNOWN) -> tuple[bool, str]:
    """Whether the committee's control results at the occasion may change, and why not.

    They are part of its follow-up: open while that is not started, a draft or returned.
    A caller that has the follow-up's submission (or knows there is none) passes it.
    """
    if submission is _UNKNOWN:
        submission = Submission.objects.filter(occasion=occasion, org_unit=committee).first()
    if submission is None or submission.is_editable:
        return True, ""
    return False, (
        f"Uppföljningen {occasion.name} {occasion.plan_year.year} är "
        f"{submission.get_state_display().lower()}; kontrollresultaten kan inte ändras."
    )


# --- risks ----------------------------------------------------------------------------------


def risk_save(*, form, user) -> Risk:
    """Save a risk from its valid form (409 through StaleEdit when someone saved first)."""
    _require_edit(user, form.instance.committee)
    return save_versioned(form=form, user=user)


def risks_carry_forward(*, committee: OrgUnit, plan_year: PlanYear, acting_user) -> list[Risk]:
    """Copy the committee's risks of the year before into `plan_year`, each linked to the
    risk it came from (Risk.carried_from), so its history reads across the years. A risk
    already carried is not copied again; the new year's assessment starts from the old one.
    """
    _require_edit(acting_user, committee)
    previous = PlanYear.objects.filter(year=plan_year.year - 1).first()
    if previous is None:
        raise InternalControlError(f"Det finns ingen riskanalys för {plan_year.year - 1}.")
    carried = []
    with transaction.atomic():
        taken = set(
            Risk.objects.filter(committee=committee, plan_year=plan_year).values_list(
                "title", flat=True
            )
        )
        for old in Risk.objects.select_for_update().filter(
            committee=committee, plan_year=previous, carried_to__isnull=True
        ):
            if old.title in taken:
                continue
            new = Risk(
                committee=committee,
                plan_year=plan_year,
                title=old.title,
                description=old.description,
                area=old.area,
                direction_goal=old.direction_goal
                if old.direction_goal and old.direction_goal.covers_year(plan_year.year)
                else None,
                strategic_area=old.strategic_area,
                owner=old.owner,
                probability=old.probability,
                consequence=old.consequence,
                reasoning=old.reasoning,
                decision=old.decision,
                handled_how=old.handled_how,
                carried_from=old,
            )
            new._history_user = acting_user
            new.save()
            carried.append(new)
    return carried


# --- the plan and its controls --------------------------------------------------------------


def control_plan_get_or_create(*, committee: OrgUnit, plan_year: PlanYear, user) -> ControlPlan:
    _require_edit(user, committee)
    with transaction.atomic():
        plan = ControlPlan.objects.filter(committee=committee, plan_year=plan_year).first()
        if plan is None:
            plan = ControlPlan(committee=committee, plan_year=plan_year)
            plan._history_user = user
            plan.save()
    return plan


def control_save(*, form, user) -> Control:
    """Save a control of a plan that is not adopted yet."""
    plan = form.instance.plan
    _require_edit(user, plan.committee)
    with transaction.atomic():
        current = ControlPlan.objects.select_for_update().get(pk=plan.pk)
        if current.is_adopted:
            raise InternalControlError(
                "Internkontrollplanen är antagen och låst; kontrollmomenten kan inte ändras."
            )
        return save_versioned(form=form, user=user)


def control_plan_adopt(
    *,
    plan: ControlPlan,
    acting_user,
    base_version: int,
    adopted_by: str,
    adopted_on: datetime.date,
    paragraph: str = "",
    reference: str = "",
) -> ControlPlan:
    """Record the plan's adoption (body, date, §, Dnr): from then on it is locked."""
    _require_edit(acting_user, plan.committee)
    adopted_by = clean_text(adopted_by)
    if not adopted_by:
        raise InternalControlError("Skriv vilket organ som antog planen.")
    with transaction.atomic():
        current = ControlPlan.objects.select_for_update().get(pk=plan.pk)
        if current.version != base_version:
            raise StaleEdit(current=current, base_version=base_version)
        if current.is_adopted:
            raise InternalControlError("Internkontrollplanen är redan antagen.")
        if not current.controls.exists():
            raise InternalControlError(
                "Planen har inga kontrollmoment; lägg till minst ett innan den antas."
            )
        current.adopted_by = adopted_by[:200]
        current.adopted_on = adopted_on
        current.paragraph = clean_text(paragraph)[:40]
        current.reference = clean_text(reference)[:60]
        current.recorded_by = acting_user
        current.version += 1
        current._history_user = acting_user
        current.save()
    return current


# --- results at an occasion -------------------------------------------------------------------


def control_result_save(*, form, user, deviation: dict | None = None) -> ControlResult:
    """Save a control's result at an occasion; with `deviation` (title, description,
    severity, occurred_on) a quality.Deviation is registered on the committee and linked,
    so it can be followed and lifted into a plan like any other deviation.
    """
    result = form.instance
    committee = result.control.plan.committee
    _require_edit(user, committee)
    with transaction.atomic():
        open_, why = results_open(occasion=result.occasion, committee=committee)
        if not open_:
            raise InternalControlError(why)
        if deviation and result.deviation_id is None:
            found = Deviation(
                org_unit=committee,
                occurred_on=deviation["occurred_on"],
                title=clean_text(deviation["title"])[:200],
                description=clean_text(deviation["description"])
                or f"Avvikelse i kontrollmomentet ”{result.control.what}”.",
                severity=deviation.get("severity") or Deviation.Severity.MEDIUM,
                reported_by=user,
            )
            found.full_clean()
            found._history_user = user
            found.save()
            form.instance.deviation = found
        return save_versioned(form=form, user=user)


__all__ = [
    "InternalControlError",
    "StaleEdit",
    "control_plan_adopt",
    "control_plan_get_or_create",
    "control_result_save",
    "control_save",
    "results_open",
    "risk_save",
    "risks_carry_forward",
]
