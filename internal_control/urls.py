"""/internkontroll/: the names start with ic_ and sit in the project's URL-access test.

The paths by id come first: "risk/12/" would otherwise read as committee "risk", year 12.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="ic_overview"),
    path("risk/<int:pk>/", views.risk_detail, name="ic_risk_detail"),
    path("risk/<int:pk>/andra/", views.risk_edit, name="ic_risk_edit"),
    path("kontroll/<int:pk>/andra/", views.control_edit, name="ic_control_edit"),
    path(
        "kontroll/<int:control_id>/resultat/<int:occasion_id>/",
        views.result_edit,
        name="ic_result_edit",
    ),
    path("<str:code>/<int:year>/", views.committee, name="ic_committee"),
    path("<str:code>/<int:year>/risk/ny/", views.risk_create, name="ic_risk_create"),
    path("<str:code>/<int:year>/risk/overfor/", views.risk_carry, name="ic_risk_carry"),
    path("<str:code>/<int:year>/plan/", views.plan, name="ic_plan"),
    path("<str:code>/<int:year>/plan/kontroll/ny/", views.control_create, name="ic_control_create"),
    path("<str:code>/uppfoljning/<int:occasion_id>/", views.results, name="ic_results"),
]
