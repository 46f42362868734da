"""Django admin for the quality system, in Swedish, with history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Deviation, IndicatorMove, QualityControl, QualityMeasurement


class QualityMeasurementInline(admin.TabularInline):
    model = QualityMeasurement
    extra = 0
    fields = ["measured_on", "period_label", "value", "comment", "registered_by"]
    raw_id_fields = ["registered_by"]


@admin.register(QualityControl)
class QualityControlAdmin(SimpleHistoryAdmin):
    list_display = ["name", "org_unit", "frequency", "owner", "active", "source_indicator"]
    list_filter = ["active", "frequency", "org_unit"]
    search_fields = ["name", "description", "org_unit__name"]
    list_select_related = ["org_unit", "owner", "source_indicator"]
    raw_id_fields = ["source_indicator", "owner"]
    inlines = [QualityMeasurementInline]


@admin.register(QualityMeasurement)
class QualityMeasurementAdmin(SimpleHistoryAdmin):
    list_display = ["control", "measured_on", "period_label", "value", "registered_by"]
    list_filter = ["control__org_unit"]
    search_fields = ["control__name", "comment"]
    list_select_related = ["control", "registered_by"]
    raw_id_fields = ["control", "registered_by"]
    date_hierarchy = "measured_on"


@admin.register(Deviation)
class DeviationAdmin(SimpleHistoryAdmin):
    list_display = [
        "occurred_on",
        "title",
        "org_unit",
        "severity",
        "status",
        "harms_goal_fulfilment",
        "activity",
    ]
    list_filter = ["status", "severity", "harms_goal_fulfilment", "org_unit"]
    search_fields = ["title", "description", "org_unit__name"]
    list_select_related = ["org_unit", "activity"]
    raw_id_fields = ["activity", "reported_by"]
    date_hierarchy = "occurred_on"


@admin.register(IndicatorMove)
class IndicatorMoveAdmin(SimpleHistoryAdmin):
    """Moves are made and reversed on the pages (they change several rows at once)."""

    list_display = ["indicator", "control", "moved_on", "moved_by", "reversed_at", "reversed_by"]
    list_filter = ["moved_on"]
    search_fields = ["indicator__code", "indicator__name", "reason"]
    list_select_related = ["indicator", "control", "moved_by", "reversed_by"]
    readonly_fields = [
        "indicator",
        "control",
        "moved_on",
        "moved_by",
        "moved_at",
        "reason",
        "reversed_by",
        "reversed_at",
        "reversal_reason",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
