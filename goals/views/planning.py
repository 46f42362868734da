"""Planning in the browser: committee goals and indicators, unit plans and activities.

Every edit form carries the version it started from; a save over a newer version is
refused, the user's input comes back, and the page shows what changed meanwhile.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html

from core.bidi import bdi, isolate
from core.conflict import CONFLICT_MESSAGE, render_conflict
from core.formats import parse_id

from .. import selectors, services
from ..forms import (
    ActivityForm,
    DirectionGoalForm,
    IndicatorForm,
    OperationalPlanForm,
    TargetFormSet,
)
from ..models import Activity, DirectionGoal, Indicator, OperationalPlan, OrgUnit
from ..permissions import access_for, require_edit
from .chain import _selected_committee, _selected_year


def _committee_by_code(code: str) -> OrgUnit:
    return get_object_or_404(OrgUnit, code=code, kind=OrgUnit.Kind.COMMITTEE)


def _render_conflict(request, template, context, stale: services.StaleEdit, form):
    form_kwargs = context.pop("form_kwargs")
    return render_conflict(
        request,
        template=template,
        context=context,
        current=stale.current,
        history=selectors.history_entries(stale.current, since_version=stale.base_version),
        form=form,
        rebuild=lambda data, current: type(form)(data, instance=current, **form_kwargs),
    )


# --- overview ---------------------------------------------------------------------------


@login_required
def plans_overview(request):
    committees = list(selectors.committees_visible_to(user=request.user))
    committee = _selected_committee(request, committees)
    years = selectors.plan_years()
    year = _selected_year(request, years)
    overview = selectors.planning_overview(user=request.user, year=year, committee=committee)
    if request.method == "POST":
        plan_year = next((py for py in years if py.year == year), None)
        missing = [row.unit for row in overview.units if row.plan is None and row.can_edit]
        if plan_year is None or not missing:
            raise PermissionDenied("Det finns inga saknade planer som du kan skapa.")
        created = services.operational_plans_create(
            org_units=missing, plan_year=plan_year, user=request.user
        )
        messages.success(request, f"{created} verksamhetsplaner för {year} är skapade.")
        return redirect(f"{reverse('plans')}?ar={year}")
    return render(
        request,
        "goals/plans_overview.html",
        {
            "overview": overview,
            "user_edits": access_for(request.user).edits_anything,
            "committees": committees,
            "selected_committee": committee,
            "years": years,
            "year": year,
        },
    )


@login_required
def committee_plan(request, code):
    committee = _committee_by_code(code)
    access = access_for(request.user)
    if not access.sees_unit(committee):
        raise Http404
    years = selectors.plan_years()
    year = _selected_year(request, years)
    plan = selectors.committee_plan(
        committee=committee,
        year=year,
        area=request.GET.get("omrade", ""),
        status=request.GET.get("status", "aktiva"),
        ownerless_only=request.GET.get("utan_ansvarig") == "1",
    )
    return render(
        request,
        "goals/committee_plan.html",
        {
            "committee": committee,
            "plan": plan,
            "years": years,
            "year": year,
            "can_edit": access.can_edit(committee),
        },
    )


# --- direction goals ----------------------------------------------------------------------


@login_required
def goal_create(request, code):
    committee = _committee_by_code(code)
    require_edit(request.user, committee)
    template = "goals/goal_form.html"
    form_kwargs = {"committee": committee}
    if request.method == "POST" and request.POST.get("foresla"):
        # "Föreslå kopplingar": redisplay what was typed with Bilaga 1's links ticked.
        typed = {k: v for k, v in request.POST.items() if k in DirectionGoalForm.base_fields}
        form = DirectionGoalForm(initial=typed, **form_kwargs)
        area = parse_id(request.POST.get("strategic_area"))
        if area is not None:
            form.suggest_for_area(area)
    elif request.method == "POST":
        form = DirectionGoalForm(request.POST, **form_kwargs)
        if form.is_valid():
            goal = services.save_versioned(form=form, user=request.user)
            messages.success(request, f"Inriktningsmålet {goal.code} är skapat.")
            return redirect(goal)
    else:
        year = _selected_year(request)
        form = DirectionGoalForm(initial={"valid_from": year, "valid_to": year + 3}, **form_kwargs)
        area = parse_id(request.GET.get("omrade"))
        if area is not None:
            form.suggest_for_area(area)
    return render(
        request,
        template,
        {"form": form, "committee": committee, "goal": None, "title": "Nytt inriktningsmål"},
    )


@login_required
def goal_edit(request, pk):
    goal = get_object_or_404(DirectionGoal.objects.select_related("committee"), pk=pk)
    require_edit(request.user, goal.committee)
    template = "goals/goal_form.html"
    context = {
        "committee": goal.committee,
        "goal": goal,
        "title": f"Ändra {goal.code}",
        "form_kwargs": {"committee": goal.committee},
    }
    if request.method == "POST":
        form = DirectionGoalForm(request.POST, instance=goal, committee=goal.committee)
        if form.is_valid():
            try:
                goal = services.save_versioned(form=form, user=request.user)
            except services.StaleEdit as stale:
                return _render_conflict(request, template, context, stale, form)
            messages.success(request, f"Ändringarna i {goal.code} är sparade.")
            return redirect(goal)
    else:
        form = DirectionGoalForm(instance=goal, committee=goal.committee)
    context.pop("form_kwargs")
    context["form"] = form
    return render(request, template, context)


@login_required
def goal_archive(request, pk):
    goal = get_object_or_404(DirectionGoal.objects.select_related("committee"), pk=pk)
    require_edit(request.user, goal.committee)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    archive = request.POST.get("archive") != "0"
    raw = request.POST.get("version", "")
    try:
        goal = services.set_archived(
            obj=goal,
            archived=archive,
            base_version=parse_id(raw) or 0,
            user=request.user,
        )
    except services.StaleEdit:
        messages.error(
            request,
            "Målet har ändrats av någon annan sedan du öppnade sidan. Se historiken nedan "
            "och försök igen.",
        )
        return redirect(goal)
    if archive:
        messages.success(
            request,
            f"{goal.code} är arkiverat. Det finns kvar i historiken och i tidigare rapporter "
            "men visas inte i nya planer.",
        )
    else:
        messages.success(request, f"{goal.code} är återställt.")
    return redirect(goal)


# --- indicators ---------------------------------------------------------------------------


def _rebase_target_rows(data, indicator: Indicator, *, prefix: str):
    """The user's target rows against the targets as they are now.

    Rows whose target was deleted meanwhile become new rows (nothing typed is lost, and no
    row points at a target that is gone); a row marked for deletion whose target is already
    gone is dropped.
    """
    existing = set(indicator.targets.values_list("pk", flat=True))
    total = min(parse_id(data.get(f"{prefix}-TOTAL_FORMS"), max_digits=4) or 0, 1000)
    rows = []
    for i in range(total):
        head = f"{prefix}-{i}-"
        rows.append({k[len(head) :]: data.getlist(k) for k in data if k.startswith(head)})
    kept = [r for r in rows if parse_id((r.get("id") or [""])[0]) in existing]
    gone = [
        {**r, "id": [""]}
        for r in rows
        if parse_id((r.get("id") or [""])[0]) not in existing
        and not r.get("DELETE")
        and (r.get("id", [""])[0] or (r.get("value") or [""])[0].strip())
    ]  # an offered year's row left without a value was never used: it is not carried over
    out = data.copy()
    for key in [k for k in out if k.startswith(f"{prefix}-")]:
        del out[key]
    for i, row in enumerate(kept + gone):
        for name, values in row.items():
            out.setlist(f"{prefix}-{i}-{name}", values)
    out[f"{prefix}-TOTAL_FORMS"] = str(len(kept) + len(gone))
    out[f"{prefix}-INITIAL_FORMS"] = str(len(kept))
    out[f"{prefix}-MIN_NUM_FORMS"] = "0"
    out[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    return out


def _indicator_form_page(request, *, goal: DirectionGoal, indicator: Indicator | None):
    template = "goals/indicator_form.html"
    instance = indicator or Indicator(direction_goal=goal)
    context = {
        "goal": goal,
        "committee": goal.committee,
        "indicator": indicator,
        "title": f"Ändra indikator: {isolate(indicator.name)}" if indicator else "Ny indikator",
    }
    # One empty target row for each year of the goal, from the current plan year on, that has
    # no target yet, its year filled in; the same initial on POST, so a row left without a
    # value counts as unused, not as an error.
    current = selectors.current_plan_year()
    first_year = max(goal.valid_from, current.year if current else goal.valid_from)
    taken = set(indicator.targets.values_list("year", flat=True)) if indicator else set()
    target_initial = [{"year": y} for y in range(first_year, goal.valid_to + 1) if y not in taken]
    if request.method == "POST":
        form = IndicatorForm(request.POST, instance=instance, goal=goal)
        formset = TargetFormSet(
            request.POST, instance=instance, goal=goal, prefix="malvarden", initial=target_initial
        )
        try:
            if indicator is not None:
                # Checked before the target rows: a target deleted meanwhile would otherwise
                # show up as an unfixable row error instead of as the conflict it is.
                current = Indicator.objects.get(pk=indicator.pk)
                if current.version != form.base_version:
                    raise services.StaleEdit(current=current, base_version=form.base_version)
            if form.is_valid() and formset.is_valid():
                saved = services.save_versioned(form=form, user=request.user, formsets=[formset])
                verb = "sparad" if indicator else "skapad"
                messages.success(request, f"Indikatorn {saved.code} är {verb}.")
                return redirect(saved)
        except services.StaleEdit as stale:
            context["conflict"] = selectors.history_entries(
                stale.current, since_version=stale.base_version
            ) + selectors.target_history(stale.current, since_version=stale.base_version)
            data = _rebase_target_rows(request.POST, stale.current, prefix="malvarden")
            data["version"] = str(stale.current.version)
            messages.error(request, CONFLICT_MESSAGE)  # the targets' rows are rebased above
            form = IndicatorForm(data, instance=stale.current, goal=goal)
            form.is_valid()
            formset = TargetFormSet(data, instance=stale.current, goal=goal, prefix="malvarden")
            formset.is_valid()
            context.update({"form": form, "formset": formset})
            return render(request, template, context, status=409)
    else:
        form = IndicatorForm(instance=instance, goal=goal)
        if indicator is None:
            form.initial["code"] = selectors.next_indicator_code(goal)
        formset = TargetFormSet(
            instance=instance, goal=goal, prefix="malvarden", initial=target_initial
        )
    context.update({"form": form, "formset": formset})
    return render(request, template, context)


@login_required
def indicator_create(request, pk):
    goal = get_object_or_404(DirectionGoal.objects.select_related("committee"), pk=pk)
    require_edit(request.user, goal.committee)
    return _indicator_form_page(request, goal=goal, indicator=None)


@login_required
def indicator_edit(request, pk):
    indicator = get_object_or_404(
        Indicator.objects.select_related("direction_goal__committee"), pk=pk
    )
    require_edit(request.user, indicator.direction_goal.committee)
    return _indicator_form_page(request, goal=indicator.direction_goal, indicator=indicator)


# --- operational plans and activities --------------------------------------------------------


@login_required
def unit_plan(request, pk):
    """The unit's plan for the chosen year; an editor creates it when it is missing."""
    unit = get_object_or_404(OrgUnit, pk=pk)
    access = access_for(request.user)
    if not access.covers(unit):
        raise Http404
    years = selectors.plan_years()
    year = _selected_year(request, years)
    plan_year = next((py for py in years if py.year == year), None)
    if plan_year is None:
        raise Http404
    plan = OperationalPlan.objects.filter(org_unit=unit, plan_year=plan_year).first()
    if plan is not None:
        return redirect(plan)
    if unit.kind in (OrgUnit.Kind.MUNICIPALITY, OrgUnit.Kind.COMMITTEE) or unit.committee is None:
        raise Http404  # plans are made by the units below a committee
    can_edit = access.can_edit(unit)
    if request.method == "POST":
        if not can_edit:
            require_edit(request.user, unit)
        plan = services.operational_plan_create(
            org_unit=unit, plan_year=plan_year, user=request.user
        )
        messages.success(request, f"Verksamhetsplanen för {year} är skapad. Lägg till aktiviteter.")
        return redirect(plan)
    return render(
        request,
        "goals/unit_plan_missing.html",
        {"unit": unit, "year": year, "years": years, "can_edit": can_edit},
    )


def _plan_for_edit(request, pk) -> OperationalPlan:
    plan = get_object_or_404(OperationalPlan.objects.select_related("org_unit", "plan_year"), pk=pk)
    require_edit(request.user, plan.org_unit)
    return plan


@login_required
def plan_edit(request, pk):
    plan = _plan_for_edit(request, pk)
    template = "goals/plan_form.html"
    context = {
        "plan": plan,
        "title": f"Grunduppdrag – {isolate(plan.org_unit.name)} {plan.plan_year.year}",
    }
    if request.method == "POST":
        form = OperationalPlanForm(request.POST, instance=plan)
        if form.is_valid():
            try:
                services.save_versioned(form=form, user=request.user)
            except services.StaleEdit as stale:
                context["form_kwargs"] = {}
                return _render_conflict(request, template, context, stale, form)
            messages.success(request, "Grunduppdraget är sparat.")
            return redirect(plan)
    else:
        form = OperationalPlanForm(instance=plan)
    context["form"] = form
    return render(request, template, context)


def _activity_form_page(request, *, plan: OperationalPlan, activity: Activity | None):
    template = "goals/activity_form.html"
    instance = activity or Activity(plan=plan)
    context = {
        "plan": plan,
        "activity": activity,
        "committee": plan.org_unit.committee,
        "title": f"Ändra aktivitet: {isolate(activity.title)}" if activity else "Ny aktivitet",
        "form_kwargs": {"plan": plan},
        "committee_goals": selectors.committee_goals_for_plan(plan=plan),
    }
    if request.method == "POST":
        form = ActivityForm(request.POST, instance=instance, plan=plan)
        if form.is_valid():
            try:
                saved = services.save_versioned(form=form, user=request.user)
            except services.StaleEdit as stale:
                return _render_conflict(request, template, context, stale, form)
            messages.success(request, format_html("Aktiviteten ”{}” är sparad.", bdi(saved.title)))
            return redirect(reverse("chain_plan", args=[plan.pk]) + f"#aktivitet-{saved.pk}")
    else:
        initial = {}
        goal = parse_id(request.GET.get("mal"))
        if activity is None and goal is not None:
            initial["direction_goal"] = goal
        form = ActivityForm(instance=instance, plan=plan, initial=initial)
    context.pop("form_kwargs")
    context["form"] = form
    return render(request, template, context)


@login_required
def activity_create(request, pk):
    plan = _plan_for_edit(request, pk)
    return _activity_form_page(request, plan=plan, activity=None)


@login_required
def activity_edit(request, pk):
    activity = get_object_or_404(Activity.objects.select_related("plan"), pk=pk)
    plan = _plan_for_edit(request, activity.plan_id)
    return _activity_form_page(request, plan=plan, activity=activity)
