from django.urls import path

from .views import chain as views
from .views import imports as import_views
from .views import overview as overview_views
from .views import planning
from .views import search as search_views

urlpatterns = [
    path("", views.start, name="start"),
    path("sok/", search_views.search, name="search"),
    path("oversikt/", overview_views.overview_page, name="overview"),
    path("styrkedja/", views.chain, name="chain"),
    path("styrkedja/tackning/", views.coverage, name="chain_coverage"),
    path("styrkedja/vision/<int:pk>/", views.vision_detail, name="chain_vision"),
    path("styrkedja/omrade/<int:pk>/", views.area_detail, name="chain_area"),
    path(
        "styrkedja/overgripande-mal/<int:pk>/",
        views.overarching_goal_detail,
        name="chain_overarching_goal",
    ),
    path("styrkedja/strategi/<int:pk>/", views.strategy_detail, name="chain_strategy"),
    path("styrkedja/organisation/<int:pk>/", views.org_unit_detail, name="chain_org_unit"),
    path("styrkedja/mal/<int:pk>/", views.direction_goal_detail, name="chain_direction_goal"),
    path("styrkedja/indikator/<int:pk>/", views.indicator_detail, name="chain_indicator"),
    path("styrkedja/plan/<int:pk>/", views.plan_detail, name="chain_plan"),
    path("styrkedja/aktivitet/<int:pk>/", views.activity_detail, name="chain_activity"),
    path("planer/", planning.plans_overview, name="plans"),
    path("planer/namnd/<str:code>/", planning.committee_plan, name="plan_committee"),
    path("planer/namnd/<str:code>/mal/ny/", planning.goal_create, name="plan_goal_create"),
    path("planer/mal/<int:pk>/andra/", planning.goal_edit, name="plan_goal_edit"),
    path("planer/mal/<int:pk>/arkivera/", planning.goal_archive, name="plan_goal_archive"),
    path(
        "planer/mal/<int:pk>/indikator/ny/",
        planning.indicator_create,
        name="plan_indicator_create",
    ),
    path("planer/indikator/<int:pk>/andra/", planning.indicator_edit, name="plan_indicator_edit"),
    path("planer/enhet/<int:pk>/", planning.unit_plan, name="plan_unit"),
    path("planer/plan/<int:pk>/andra/", planning.plan_edit, name="plan_edit"),
    path(
        "planer/plan/<int:pk>/aktivitet/ny/",
        planning.activity_create,
        name="plan_activity_create",
    ),
    path("planer/aktivitet/<int:pk>/andra/", planning.activity_edit, name="plan_activity_edit"),
    path("import/", import_views.data_import, name="data_import"),
    path("export/<str:kind>.<str:fmt>", import_views.data_export, name="data_export"),
    path("healthz", views.healthz, name="healthz"),
]
