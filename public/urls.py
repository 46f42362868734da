"""The open pages for residents, under /oppet/ (names start with public_)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.start, name="public_start"),
    path("styrmodell/", views.steering_model, name="public_steering_model"),
    path("namnd/<str:code>/", views.committee, name="public_committee"),
    path("maluppfyllelse/", views.goal_fulfilment, name="public_goal_fulfilment"),
    path("rapporter/", views.reports, name="public_reports"),
    path("data/", views.data, name="public_data"),
    path("data/<str:kind>.<str:fmt>", views.data_file, name="public_data_file"),
]
