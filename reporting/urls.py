from django.urls import path

from . import views

urlpatterns = [
    path("rapporter/", views.library, name="reports"),
    path("rapporter/skapa/", views.generate, name="reports_generate"),
    path("rapporter/<int:pk>/", views.report_detail, name="report_detail"),
    path("rapporter/<int:pk>/status/", views.report_status, name="report_status"),
    path("rapporter/<int:pk>/ladda-ned/", views.report_download, name="report_download"),
]
