"""Django admin for intern kontroll, in Swedish, with history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Control, ControlPlan, ControlResult, Risk


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "committee", "plan_year", "probability", "consequence", "decision"]
    list_filter = ["plan_year", "decision", "committee"]
    search_fields = ["title", "description", "committee__name"]
    list_select_related = ["committee", "plan_year"]
    raw_id_fields = ["direction_goal", "carried_from"]


class ControlInline(admin.TabularInline):
    model = Control
    extra = 0
    fields = ["risk", "what", "frequency", "responsible", "occasion"]
    raw_id_fields = ["risk"]


@admin.register(ControlPlan)
class ControlPlanAdmin(SimpleHistoryAdmin):
    list_display = ["committee", "plan_year", "adopted_by", "adopted_on", "paragraph", "reference"]
    list_filter = ["plan_year", "committee"]
    list_select_related = ["committee", "plan_year"]
    raw_id_fields = ["recorded_by"]
    inlines = [ControlInline]


@admin.register(Control)
class ControlAdmin(SimpleHistoryAdmin):
    list_display = ["what", "plan", "risk", "frequency", "occasion"]
    list_filter = ["plan__plan_year", "plan__committee"]
    search_fields = ["what", "method", "risk__title"]
    list_select_related = ["plan__committee", "plan__plan_year", "risk", "occasion"]
    raw_id_fields = ["plan", "risk"]


@admin.register(ControlResult)
class ControlResultAdmin(SimpleHistoryAdmin):
    list_display = ["control", "occasion", "status", "assessment", "deviation"]
    list_filter = ["status", "assessment", "occasion__plan_year"]
    search_fields = ["control__what", "findings", "action"]
    list_select_related = ["control", "occasion", "deviation"]
    raw_id_fields = ["control", "deviation"]
