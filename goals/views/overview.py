"""The måluppfyllelse overview: charts and tables per strategiområde and nämnd, drilled down
by links (?omrade=, ?namnd=, ?mal=) at one reporting occasion (?tillfalle=)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.formats import parse_id

from ..charts import WEB_FONT, ChartRow, share_chart, trend_chart
from ..models import Assessment
from ..permissions import access_for
from ..selectors.overview import LEVELS, goal_drilldown, overview, overview_occasions

# The goal list under the charts shows the goals not met first and at most this many; the
# charts count them all, and choosing an area or a committee narrows the list (a large
# municipality has hundreds of goals at one occasion).
GOALS_SHOWN = 50


def _chart(rows, *, title: str, chart_id: str):
    return share_chart(
        [ChartRow(r.label, r.counts) for r in rows],
        title=title,
        chart_id=chart_id,
        font_family=WEB_FONT,
    )


@login_required
@require_GET
def overview_page(request):
    occasions, default = overview_occasions()
    asked = parse_id(request.GET.get("tillfalle"))
    occasion = next((o for o in occasions if o.pk == asked), None) if asked else default
    if asked and occasion is None:
        raise Http404
    access = access_for(request.user)
    data = overview(access=access, occasion=occasion, occasions=occasions)
    goals = data.goals
    area = committee = goal = None
    area_number = parse_id(request.GET.get("omrade"), max_digits=3)
    if area_number is not None:
        area = next((a for a in data.areas if a.number == area_number), None)
        if area is None:
            raise Http404
        goals = [g for g in goals if g.goal.strategic_area_id == area.pk]
    code = request.GET.get("namnd", "")
    if code:
        committee = next((c for c in data.committees if c.code == code), None)
        if committee is None:
            raise Http404
        goals = [g for g in goals if g.committee.pk == committee.pk]
    goal_id = parse_id(request.GET.get("mal"))
    drill = None
    if goal_id is not None:
        goal = next((g for g in goals if g.goal.pk == goal_id), None)
        if goal is None:
            raise Http404
        drill = goal_drilldown(access=access, occasion=occasion, goal=goal.goal)
        for row in drill["indicators"]:
            unit = row.indicator.unit_of_measure
            row.chart = trend_chart(
                row.trend,
                title=f"{row.indicator.name}{f' ({unit})' if unit else ''}: utfall och målvärde "
                + ("och riket " if row.has_riket else "")
                + "per år",
                unit=unit,
                chart_id=f"trend-{row.indicator.pk}",
                font_family=WEB_FONT,
            )
    base = {"tillfalle": occasion.pk} if occasion else {}
    area_rows = data.by_area(goals)
    committee_rows = data.by_committee(goals)
    if committee is not None:
        committee_rows = [r for r in committee_rows if r.key == committee.code]
    if area is not None:
        area_rows = [r for r in area_rows if r.key == str(area.number)]
    ordered = data.not_met_first(goals)
    scope = " – ".join(x for x in [area and area.name, committee and committee.name] if x)
    context = {
        "data": data,
        "occasion": occasion,
        "area": area,
        "committee": committee,
        "goal": goal,
        "drill": drill,
        "levels": [(level, Assessment(level).label) for level in LEVELS],
        "area_rows": area_rows,
        "committee_rows": committee_rows,
        "goals": ordered[:GOALS_SHOWN],
        "goals_total": len(ordered),
        "not_met": [g for g in ordered if g.level == Assessment.NOT_FULFILLED],
        "area_chart": _chart(
            area_rows, title=f"Måluppfyllelse per strategiområde {scope}".strip(), chart_id="c-omr"
        ),
        "committee_chart": _chart(
            committee_rows, title=f"Måluppfyllelse per nämnd {scope}".strip(), chart_id="c-namnd"
        ),
        "q_base": urlencode(base),
        "q_area": urlencode({**base, **({"omrade": area.number} if area else {})}),
        "q_committee": urlencode({**base, **({"namnd": committee.code} if committee else {})}),
        "q_both": urlencode(
            {
                **base,
                **({"omrade": area.number} if area else {}),
                **({"namnd": committee.code} if committee else {}),
            }
        ),
        "mid_year": bool(occasion and occasion.is_mid_year),
    }
    return render(request, "goals/overview.html", context)
