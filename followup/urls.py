from django.urls import path

from . import views as cycle

urlpatterns = [
    path("uppfoljning/", cycle.followup_overview, name="followup"),
    path("uppfoljning/<int:occasion_id>/<str:code>/", cycle.followup_edit, name="followup_edit"),
    path("uppfoljning/kommentar/<int:pk>/", cycle.comment_respond, name="followup_comment"),
    path("granskning/", cycle.review_overview, name="review"),
    path("granskning/<int:pk>/", cycle.review_submission, name="review_submission"),
    path(
        "granskning/starta-nasta-ar/<int:year>/",
        cycle.start_next_year,
        name="review_start_next_year",
    ),
]
