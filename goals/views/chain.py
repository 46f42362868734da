"""Pages of the steering chain: start, the chain tree, its nodes and its coverage."""

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.formats import parse_id

from .. import selectors
from ..charts import WEB_FONT, ChartRow, share_chart
from ..models import (
    Activity,
    DirectionGoal,
    Indicator,
    Membership,
    OperationalPlan,
    OrgUnit,
    OverarchingGoal,
    StrategicArea,
    Strategy,
    Vision,
)
from ..permissions import access_for, require_committee_visible, require_unit_visible
from ..selectors.overview import LEVELS as OVERVIEW_LEVELS
from ..selectors.overview import start_overview_for


def _selected_year(request, plan_years=None) -> int:
    """The year asked for in ?ar=, else the current plan year."""
    plan_years = selectors.plan_years() if plan_years is None else plan_years
    asked = parse_id(request.GET.get("ar"), max_digits=4)
    if asked in {py.year for py in plan_years}:
        return asked
    current = next((py for py in plan_years if py.is_current), None)
    current = current or (plan_years[0] if plan_years else None)
    return current.year if current else 0


def _selected_committee(request, committees) -> OrgUnit | None:
    code = request.GET.get("namnd", "")
    if not code:
        return None
    for committee in committees:
        if committee.code == code:
            return committee
    raise Http404


@login_required
def start(request):
    plan_year = selectors.current_plan_year()
    context = selectors.start_overview(user=request.user, plan_year=plan_year)
    context["membership_rows"] = Membership.objects.filter(user=request.user).select_related(
        "org_unit"
    )
    context["plan_year"] = plan_year
    context.update(
        selectors.start_page(user=request.user, plan_year=plan_year, today=timezone.localdate())
    )
    fulfilment = start_overview_for(access=access_for(request.user))
    if fulfilment is not None:
        rows = fulfilment.by_area(fulfilment.goals)
        occasion = fulfilment.occasion
        context["fulfilment"] = fulfilment
        context["fulfilment_counts"] = {
            level.value: sum(r.counts[level] for r in rows) for level in OVERVIEW_LEVELS
        }
        context["fulfilment_chart"] = share_chart(
            [ChartRow(r.label, r.counts) for r in rows],
            title=f"Måluppfyllelse per strategiområde – {occasion.name} {occasion.plan_year.year}",
            chart_id="start-omr",
            font_family=WEB_FONT,
        )
    return render(request, "goals/start.html", context)


@login_required
def chain(request):
    committees = list(selectors.committees_visible_to(user=request.user))
    committee = _selected_committee(request, committees)
    years = selectors.plan_years()
    year = _selected_year(request, years)
    page = parse_id(request.GET.get("sida"), max_digits=4) or 1
    tree = selectors.chain_tree(user=request.user, year=year, committee=committee, page=page)
    return render(
        request,
        "goals/chain.html",
        {
            "tree": tree,
            "committees": committees,
            "selected_committee": committee,
            "years": years,
            "year": year,
        },
    )


@login_required
def coverage(request):
    committees = list(selectors.committees_visible_to(user=request.user))
    committee = _selected_committee(request, committees)
    years = selectors.plan_years()
    year = _selected_year(request, years)
    return render(
        request,
        "goals/coverage.html",
        {
            "coverage": selectors.chain_coverage(user=request.user, year=year, committee=committee),
            "committees": committees,
            "selected_committee": committee,
            "years": years,
            "year": year,
        },
    )


@login_required
def vision_detail(request, pk):
    vision = get_object_or_404(Vision, pk=pk)
    areas = vision.strategic_areas.prefetch_related("overarching_goals", "strategies")
    return render(request, "goals/vision_detail.html", {"vision": vision, "areas": areas})


@login_required
def area_detail(request, pk):
    area = get_object_or_404(StrategicArea.objects.select_related("vision"), pk=pk)
    year = _selected_year(request)
    goals = selectors.direction_goals_visible_to(user=request.user, year=year).filter(
        strategic_area=area
    )
    return render(
        request,
        "goals/area_detail.html",
        {"area": area, "goals": goals.order_by("committee__name", "code"), "year": year},
    )


@login_required
def overarching_goal_detail(request, pk):
    goal = get_object_or_404(OverarchingGoal, pk=pk)
    year = _selected_year(request)
    return render(
        request,
        "goals/traced_detail.html",
        {
            "object": goal,
            "kind_label": "Övergripande mål",
            "areas": goal.strategic_areas.select_related("vision"),
            "vision": Vision.objects.first(),
            "goals": selectors.direction_goals_visible_to(user=request.user, year=year)
            .filter(overarching_goals=goal)
            .order_by("committee__name", "code"),
            "year": year,
        },
    )


@login_required
def strategy_detail(request, pk):
    strategy = get_object_or_404(Strategy, pk=pk)
    year = _selected_year(request)
    return render(
        request,
        "goals/traced_detail.html",
        {
            "object": strategy,
            "kind_label": "Kommunövergripande strategi",
            "areas": strategy.strategic_areas.select_related("vision"),
            "vision": Vision.objects.first(),
            "goals": selectors.direction_goals_visible_to(user=request.user, year=year)
            .filter(strategies=strategy)
            .order_by("committee__name", "code"),
            "year": year,
        },
    )


@login_required
def org_unit_detail(request, pk):
    unit = get_object_or_404(OrgUnit, pk=pk)
    access = access_for(request.user)
    if not access.sees_unit(unit):
        raise Http404
    year = _selected_year(request)
    children = [c for c in unit.get_children() if access.sees_unit(c)]
    goals = (
        selectors.direction_goals_visible_to(user=request.user, year=year, committee=unit)
        if unit.kind == OrgUnit.Kind.COMMITTEE
        else DirectionGoal.objects.none()
    )
    plans = (
        selectors.plans_visible_to(user=request.user)
        .filter(org_unit=unit)
        .order_by("-plan_year__year")
        if access.covers(unit)
        else OperationalPlan.objects.none()
    )
    return render(
        request,
        "goals/org_unit_detail.html",
        {
            "unit": unit,
            "ancestors": unit.get_ancestors(),
            "children": children,
            "goals": goals.order_by("strategic_area__number", "code"),
            "plans": plans,
            "year": year,
        },
    )


@login_required
def direction_goal_detail(request, pk):
    goal = get_object_or_404(
        DirectionGoal.objects.select_related("committee", "strategic_area__vision"), pk=pk
    )
    require_committee_visible(request.user, goal.committee)
    year = _selected_year(request)
    context = selectors.direction_goal_detail(goal=goal, user=request.user, year=year)
    context.update(
        {
            "goal": goal,
            "year": year,
            "can_edit": access_for(request.user).can_edit(goal.committee),
            "history": selectors.history_entries(goal),
        }
    )
    return render(request, "goals/direction_goal_detail.html", context)


@login_required
def indicator_detail(request, pk):
    indicator = get_object_or_404(
        Indicator.objects.select_related(
            "direction_goal__committee",
            "direction_goal__strategic_area__vision",
            "owner",
            "quality_control",
        ),
        pk=pk,
    )
    require_committee_visible(request.user, indicator.direction_goal.committee)
    measurements = list(
        indicator.measurements.select_related("occasion__plan_year").order_by(
            "occasion__period_end"
        )
    )
    # Comparison with Riket (and any other area) from Kolada, beside the year's own outcome
    # at the Verksamhetsberättelse.
    targets = list(indicator.targets.order_by("year"))
    references = list(indicator.reference_values.order_by("year", "area_code"))
    areas = list({r.area_code: r.area_name for r in references}.items())
    comparison = []
    if references:
        by_key = {(r.year, r.area_code): r for r in references}
        annual = {
            m.occasion.plan_year.year: m
            for m in measurements
            if m.occasion.kind == m.occasion.Kind.ANNUAL_REPORT
        }
        for year in sorted(set(annual) | {r.year for r in references}):
            comparison.append(
                {
                    "year": year,
                    "own": annual.get(year),
                    "references": [by_key.get((year, code)) for code, _name in areas],
                }
            )
    return render(
        request,
        "goals/indicator_detail.html",
        {
            "indicator": indicator,
            "goal": indicator.direction_goal,
            "targets": selectors.indicator_target_rows(
                indicator=indicator, targets=targets, measurements=measurements
            ),
            "measurements": measurements,
            "comparison": comparison,
            "comparison_areas": [name for _code, name in areas],
            "references_fetched_at": max((r.fetched_at for r in references), default=None),
            "can_edit": access_for(request.user).can_edit(indicator.direction_goal.committee),
            "history": selectors.history_entries(indicator),
            "target_history": selectors.target_history(indicator),
        },
    )


@login_required
def plan_detail(request, pk):
    plan = get_object_or_404(OperationalPlan.objects.select_related("org_unit", "plan_year"), pk=pk)
    require_unit_visible(request.user, plan.org_unit)
    context = selectors.plan_page(plan=plan, status=request.GET.get("status", ""))
    context.update(
        {
            "plan": plan,
            "committee": plan.org_unit.committee,
            "ancestors": plan.org_unit.get_ancestors(),
            "can_edit": access_for(request.user).can_edit(plan.org_unit),
            "history": selectors.history_entries(plan),
        }
    )
    return render(request, "goals/plan_detail.html", context)


@login_required
def activity_detail(request, pk):
    activity = get_object_or_404(
        Activity.objects.select_related(
            "plan__org_unit",
            "plan__plan_year",
            "direction_goal__committee",
            "direction_goal__strategic_area__vision",
            "source_deviation",
        ),
        pk=pk,
    )
    require_unit_visible(request.user, activity.plan.org_unit)
    return render(
        request,
        "goals/activity_detail.html",
        {
            "activity": activity,
            "goal": activity.direction_goal,
            "plan": activity.plan,
            "can_edit": access_for(request.user).can_edit(activity.plan.org_unit),
            "history": selectors.history_entries(activity),
        },
    )


@require_GET
@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "fel", "databas": "nås inte"}, status=503)
    return JsonResponse({"status": "ok", "databas": "ok"})
