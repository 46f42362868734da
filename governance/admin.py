"""Django admin for governing documents and assignments, in Swedish, with history.

Files are uploaded through the document page, which checks that they are PDFs; here the
file is shown, not changed.
"""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .models import Assignment, AssignmentStatus, GoverningDocument


@admin.register(GoverningDocument)
class GoverningDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "level", "decided_by", "decided_on", "next_review_on"]
    list_filter = ["kind", "level"]
    search_fields = ["title", "decided_by"]
    readonly_fields = ["file", "file_name", "version"]
    filter_horizontal = ["units", "direction_goals"]
    list_select_related = ["owning_unit"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


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
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["short_text", "given_by", "receiving_unit", "given_on", "deadline", "closed_on"]
    list_filter = ["closed_on"]
    search_fields = ["text"]
    readonly_fields = ["version"]
    list_select_related = ["given_by", "receiving_unit"]
    inlines = [AssignmentStatusInline]


@admin.register(AssignmentStatus)
class AssignmentStatusAdmin(ReadOnlyStatus, SimpleHistoryAdmin):
    list_display = ["assignment", "submission", "status"]
    list_filter = ["status"]
    list_select_related = ["assignment", "submission__occasion__plan_year", "submission__org_unit"]
