"""The open pages for residents (/oppet/): what the municipality has decided and published,
readable without logging in. Every view is wrapped by caching.open_page (off → 404, rate
limit, cache) and reads only through public.selectors."""

import json
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.formats import parse_id
from goals.charts import WEB_FONT, ChartRow, share_chart
from goals.import_widgets import VERSION_COLUMN
from goals.models import Assessment, OverarchingGoal, StrategicArea, Strategy, Vision
from goals.resources import DirectionGoalResource, MeasurementResource
from goals.selectors.overview import LEVELS
from goals.spreadsheets import swedish_csv

from . import selectors
from .caching import open_page

DATA_KINDS = {
    "inriktningsmal": ("Inriktningsmål", DirectionGoalResource),
    "utfall": ("Utfall", MeasurementResource),
}
DATA_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def _occasion_id(request) -> int | None:
    raw = request.GET.get("tillfalle")
    if raw in (None, ""):
        return None
    occasion_id = parse_id(raw)
    if occasion_id is None:
        raise Http404
    return occasion_id


@open_page
def start(request):
    areas = StrategicArea.objects.order_by("number")
    return render(
        request,
        "public/start.html",
        {
            "vision": Vision.objects.first(),
            "areas": areas,
            "committees": selectors.committees_with_publications(),
            "occasions": selectors.published_occasions(),
        },
    )


@open_page
def steering_model(request):
    strategies = list(Strategy.objects.order_by("number"))
    categories = [
        (label, [s for s in strategies if s.category == value])
        for value, label in Strategy.Category.choices
    ]
    return render(
        request,
        "public/steering_model.html",
        {
            "goals": OverarchingGoal.objects.order_by("number"),
            "categories": [(label, items) for label, items in categories if items],
            "areas": StrategicArea.objects.order_by("number").prefetch_related(
                "overarching_goals", "strategies"
            ),
        },
    )


@open_page
def committee(request, code):
    view = selectors.committee_view(code=code, occasion_id=_occasion_id(request))
    if view is None:
        raise Http404
    return render(request, "public/committee.html", {"view": view})


def _chart(rows, *, title: str, chart_id: str):
    return share_chart(
        [ChartRow(r.label, r.counts) for r in rows],
        title=title,
        chart_id=chart_id,
        font_family=WEB_FONT,
    )


@open_page
def goal_fulfilment(request):
    data = selectors.public_overview(occasion_id=_occasion_id(request))
    if data is None:
        raise Http404
    occasion = data.occasion
    goals = data.goals
    area = None
    area_number = parse_id(request.GET.get("omrade"), max_digits=3)
    if request.GET.get("omrade") not in (None, ""):
        area = next((a for a in data.areas if a.number == area_number), None)
        if area is None:
            raise Http404
        goals = [g for g in goals if g.goal.strategic_area_id == area.pk]
    area_rows = data.by_area(goals)
    committee_rows = data.by_committee(goals)
    if area is not None:
        area_rows = [r for r in area_rows if r.key == str(area.number)]
    base = {"tillfalle": occasion.pk} if occasion else {}
    suffix = f" – {area.name}" if area else ""
    context = {
        "data": data,
        "occasion": occasion,
        "area": area,
        "levels": [(level, Assessment(level).label) for level in LEVELS],
        "area_rows": area_rows,
        "committee_rows": committee_rows,
        "goals": data.not_met_first(goals),
        "area_chart": _chart(
            area_rows, title=f"Måluppfyllelse per strategiområde{suffix}", chart_id="c-omr"
        ),
        "committee_chart": _chart(
            committee_rows, title=f"Måluppfyllelse per nämnd{suffix}", chart_id="c-namnd"
        ),
        "q_base": urlencode(base),
        "mid_year": bool(occasion and occasion.is_mid_year),
    }
    return render(request, "public/goal_fulfilment.html", context)


@open_page
def reports(request):
    return render(request, "public/reports.html", {"groups": selectors.published_reports()})


@open_page
def data(request):
    return render(
        request,
        "public/data.html",
        {
            "kinds": [
                (
                    key,
                    title,
                    [
                        f.column_name
                        for f in resource().get_export_fields()
                        if f.column_name != VERSION_COLUMN
                    ],
                )
                for key, (title, resource) in DATA_KINDS.items()
            ],
            "formats": list(DATA_FORMATS),
        },
    )


@open_page
def data_file(request, kind, fmt):
    if kind not in DATA_KINDS or fmt not in DATA_FORMATS:
        raise Http404
    goals, measurements = selectors.published_export_rows()
    title, resource_class = DATA_KINDS[kind]
    rows = goals if kind == "inriktningsmal" else measurements
    dataset = resource_class().export(queryset=rows)
    if VERSION_COLUMN in (dataset.headers or []):
        # The staff's columns but the last: the version a row had, for their own imports.
        del dataset[VERSION_COLUMN]
    if fmt == "csv":
        # As the staff's export: Swedish decimals and a BOM, so that Excel reads UTF-8.
        content = "\ufeff" + swedish_csv(dataset)
    else:
        content = json.dumps(dataset.dict, ensure_ascii=False, indent=1, default=str)
    response = HttpResponse(content, content_type=DATA_FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="oppna-data-{kind}-{stamp}.{fmt}"'
    return response
