from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("kontroll/ny/", views.control_create, name="control_create"),
    path("kontroll/<int:pk>/", views.control_detail, name="control_detail"),
    path("kontroll/<int:pk>/andra/", views.control_edit, name="control_edit"),
    path("kontroll/<int:pk>/matning/ny/", views.measurement_create, name="measurement_create"),
    path("matning/<int:pk>/andra/", views.measurement_edit, name="measurement_edit"),
    path("avvikelse/ny/", views.deviation_create, name="deviation_create"),
    path("avvikelse/<int:pk>/", views.deviation_detail, name="deviation_detail"),
    path("avvikelse/<int:pk>/andra/", views.deviation_edit, name="deviation_edit"),
    path("avvikelse/<int:pk>/lyft/", views.deviation_lift, name="deviation_lift"),
    path("indikator/<int:pk>/flytta/", views.indicator_move, name="indicator_move"),
    path("flytt/<int:pk>/angra/", views.move_reverse, name="move_reverse"),
]
