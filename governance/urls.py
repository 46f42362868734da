from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("nytt/", views.document_create, name="document_create"),
    path("att-revidera/", views.documents_review, name="documents_review"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("<int:pk>/andra/", views.document_edit, name="document_edit"),
    path("<int:pk>/fil/", views.document_file, name="document_file"),
    path("uppdrag/", views.assignment_list, name="assignment_list"),
    path("uppdrag/nytt/", views.assignment_create, name="assignment_create"),
    path("uppdrag/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("uppdrag/<int:pk>/andra/", views.assignment_edit, name="assignment_edit"),
]
