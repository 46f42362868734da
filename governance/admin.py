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


class AssignmentStatusInline(admin.TabularInline):
    model = AssignmentStatus
    extra = 0
    fields = ["submission", "status", "comment"]
    raw_id_fields = ["submission"]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["short_text", "given_by", "receiving_unit", "given_on", "deadline", "closed_on"]
    list_filter = ["closed_on"]
    search_fields = ["text"]
    readonly_fields = ["version"]
    list_select_related = ["given_by", "receiving_unit"]
    inlines = [AssignmentStatusInline]


@admin.register(AssignmentStatus)
class AssignmentStatusAdmin(SimpleHistoryAdmin):
    list_display = ["assignment", "submission", "status"]
    list_filter = ["status"]
    raw_id_fields = ["assignment", "submission"]
