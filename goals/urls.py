from django.urls import path

from . import views

urlpatterns = [
    path("", views.start, name="start"),
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
    path("healthz", views.healthz, name="healthz"),
]
