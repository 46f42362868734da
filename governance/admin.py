"""Django admin for governing documents and assignments, in Swedish, with history.

Files are uploaded through the document page, which checks that they are PDFs; here the
file is shown, not changed. Saves are version-checked like the pages' (goals.admin).
"""

from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from goals.admin import VersionedAdmin

from .models import Assignment, AssignmentStatus, GoverningDocument


@admin.register(GoverningDocument)
class GoverningDocumentAdmin(VersionedAdmin):
    list_display = ["title", "kind", "level", "decided_by", "decided_on", "next_review_on"]
    list_filter = ["kind", "level"]
    search_fields = ["title", "decided_by"]
    exclude = ["file", "file_name"]
    readonly_fields = ["uploaded_file", "version"]
    filter_horizontal = ["units", "direction_goals"]
    list_select_related = ["owning_unit"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("uppladdad fil"))
    def uploaded_file(self, obj):
        if not obj or not obj.file:
            return "–"
        url = reverse("governance:document_file", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.download_name)


class ReadOnlyStatus:
    """Statuses are written in the follow-up (and frozen with it); here they are shown."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AssignmentStatusInline(ReadOnlyStatus, admin.TabularInline):
    model = AssignmentStatus
    extra = 0
    fields = ["submission", "status", "comment"]


@admin.register(Assignment)
class AssignmentAdmin(VersionedAdmin):
    list_display = ["short_text", "given_by", "receiving_unit", "given_on", "deadline", "closed_on"]
    list_filter = ["closed_on"]
    search_fields = ["text"]
    readonly_fields = ["version"]
    list_select_related = ["given_by", "receiving_unit"]
    inlines = [AssignmentStatusInline]
