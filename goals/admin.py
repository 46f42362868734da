"""Django admin for every model of the chain; the organisation as a tree."""

from django import forms
from django.contrib import admin, messages
from django.db.models import F
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from mptt.admin import MPTTModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import resources, services
from .models import (
    Activity,
    AuditEntry,
    DirectionGoal,
    Indicator,
    Measurement,
    Membership,
    OperationalPlan,
    OrgUnit,
    OverarchingGoal,
    PlanYear,
    ReferenceValue,
    ReportingOccasion,
    StrategicArea,
    Strategy,
    Target,
    Vision,
)


class StyrImportExport(ImportExportMixin):
    """The same column format as the import page; rows carry who imported them."""

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log: read only, filterable by type, user, unit and date."""

    list_display = ["at", "action", "user", "unit_name", "summary"]
    list_filter = ["action", "user", "unit_code", ("at", admin.DateFieldListFilter)]
    search_fields = ["summary", "user__username", "unit_code", "unit_name"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferenceValue)
class ReferenceValueAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "year", "area_name", "value", "fetched_at"]
    list_filter = ["year", "area_code"]


@admin.register(Vision)
class VisionAdmin(admin.ModelAdmin):
    list_display = ["statement", "adopted_year"]


@admin.register(StrategicArea)
class StrategicAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    filter_horizontal = ["overarching_goals", "strategies"]


@admin.register(OverarchingGoal)
class OverarchingGoalAdmin(admin.ModelAdmin):
    list_display = ["number", "text", "decided_year"]


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["number", "text", "category"]
    list_filter = ["category"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


# Deeper levels than this share its indentation (the demo goes to 4; static/admin-styr/tree.css).
TREE_LEVELS_INDENTED = 8


@admin.register(OrgUnit)
class OrgUnitAdmin(StyrImportExport, MPTTModelAdmin):
    """Every write goes through goals.services, which holds the tree lock.

    The list is in tree order (MPTTModelAdmin) and indented by a class per level: mptt's own
    change list indents with inline styles, which the CSP refuses, so its template is not used.
    """

    resource_classes = [resources.OrgUnitResource]
    change_list_template = "admin/change_list.html"
    list_display = ["tree_name", "code", "kind", "own_operation"]
    list_filter = ["kind", "own_operation"]
    search_fields = ["name", "code"]
    inlines = [MembershipInline]

    class Media:
        css = {"all": ["admin-styr/tree.css"]}

    @admin.display(description=_("namn"))
    def tree_name(self, obj):
        level = min(obj.level, TREE_LEVELS_INDENTED)
        return format_html('<span class="tree-level tree-level-{}">{}</span>', level, obj.name)

    def get_actions(self, request):
        # Django's own "delete selected" (through delete_queryset below), not mptt's, which
        # deletes row by row past goals.services and its lock.
        return admin.ModelAdmin.get_actions(self, request)

    def save_model(self, request, obj, form, change):
        services.org_unit_save(org_unit=obj)

    def delete_model(self, request, obj):
        services.org_unit_delete(org_unit=obj)

    def delete_queryset(self, request, queryset):
        # Deepest first, so a unit is never deleted before what lies below it.
        for unit in queryset.order_by("-level"):
            services.org_unit_delete(org_unit=unit)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "org_unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "org_unit__name"]
    autocomplete_fields = ["user", "org_unit"]


class ReportingOccasionInline(admin.TabularInline):
    model = ReportingOccasion
    extra = 0


@admin.register(PlanYear)
class PlanYearAdmin(admin.ModelAdmin):
    list_display = ["year", "phase", "is_current"]
    inlines = [ReportingOccasionInline]


@admin.register(ReportingOccasion)
class ReportingOccasionAdmin(admin.ModelAdmin):
    list_display = ["name", "plan_year", "kind", "period_end", "opens_on", "deadline"]
    list_filter = ["plan_year", "kind"]


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent, changed on their own page (where versions are checked)."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class IndicatorInline(ReadOnlyInline):
    model = Indicator
    fields = ["code", "name", "unit_of_measure", "higher_is_better", "owner"]


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the admin page was opened at; a save over a newer one is refused."""

    base_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin's change view runs in one transaction: the lock holds until saved.
            current = (
                type(self.instance)
                .objects.select_for_update()
                .values_list("version", flat=True)
                .get(pk=self.instance.pk)
            )
            raw = str(cleaned.get("base_version") or "")
            if not (raw.isascii() and raw.isdigit()) or int(raw[:12]) != current:
                raise forms.ValidationError(
                    _(
                        "Någon annan har sparat den här posten sedan du öppnade sidan. "
                        "Öppna sidan igen för att se ändringarna; dina ändringar är inte sparade."
                    ),
                    code="stale",
                )
        return cleaned


class VersionedAdmin(SimpleHistoryAdmin):
    """Admin saves are versioned like the planning forms: checked, then counted up."""

    form = VersionedAdminForm

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = type(obj).objects.values_list("version", flat=True).get(pk=obj.pk) + 1
        super().save_model(request, obj, form, change)


@admin.register(DirectionGoal)
class DirectionGoalAdmin(StyrImportExport, VersionedAdmin):
    resource_classes = [resources.DirectionGoalResource]
    list_display = ["code", "title", "committee", "strategic_area", "valid_from", "valid_to"]
    list_filter = ["committee", "strategic_area", "archived"]
    search_fields = ["code", "title"]
    filter_horizontal = ["overarching_goals", "strategies"]
    inlines = [IndicatorInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "committee":
            kwargs["queryset"] = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(StyrImportExport, VersionedAdmin):
    resource_classes = [resources.IndicatorResource]
    list_display = ["code", "name", "direction_goal", "unit_of_measure", "owner"]
    list_filter = ["direction_goal__committee"]
    search_fields = ["code", "name", "kolada_kpi"]
    inlines = [TargetInline]
    readonly_fields = ["moved_to_quality_on"]  # moved and moved back on the quality pages

    def has_delete_permission(self, request, obj=None):
        if obj is not None and any(m.is_published for m in obj.measurements.all()):
            return False  # deleting would take published outcomes with it
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        if any(m.is_published for i in queryset for m in i.measurements.all()):
            self.message_user(
                request,
                _("Inget togs bort: några indikatorer har utfall i publicerad uppföljning."),
                messages.ERROR,
            )
            return
        super().delete_queryset(request, queryset)


def _touch_indicators(indicator_ids) -> None:
    """A target changed on its own page: the indicator's open forms must notice."""
    Indicator.objects.filter(pk__in=set(indicator_ids)).update(version=F("version") + 1)


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "year", "value"]
    list_filter = ["year"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _touch_indicators([obj.indicator_id])

    def delete_model(self, request, obj):
        indicator_id = obj.indicator_id
        super().delete_model(request, obj)
        _touch_indicators([indicator_id])

    def delete_queryset(self, request, queryset):
        ids = list(queryset.values_list("indicator_id", flat=True))
        super().delete_queryset(request, queryset)
        _touch_indicators(ids)


@admin.register(Measurement)
class MeasurementAdmin(StyrImportExport, SimpleHistoryAdmin):
    resource_classes = [resources.MeasurementResource]
    list_display = ["indicator", "occasion", "value", "source"]
    list_filter = ["occasion__plan_year", "source"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False  # shown read-only: a published outcome is final
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        if any(m.is_published for m in queryset.select_related("indicator__direction_goal")):
            self.message_user(
                request,
                _("Inget togs bort: några av utfallen hör till publicerad uppföljning."),
                messages.ERROR,
            )
            return
        super().delete_queryset(request, queryset)


class ActivityInline(ReadOnlyInline):
    model = Activity
    fields = ["title", "direction_goal", "responsible", "starts_on", "ends_on", "status"]


@admin.register(OperationalPlan)
class OperationalPlanAdmin(VersionedAdmin):
    list_display = ["org_unit", "plan_year"]
    list_filter = ["plan_year"]
    search_fields = ["org_unit__name"]
    inlines = [ActivityInline]


@admin.register(Activity)
class ActivityAdmin(StyrImportExport, VersionedAdmin):
    resource_classes = [resources.ActivityResource]
    list_display = ["title", "plan", "direction_goal", "status", "starts_on", "ends_on"]
    list_filter = ["status", "plan__plan_year"]
    search_fields = ["title"]
    list_select_related = ["plan__org_unit", "plan__plan_year", "direction_goal"]


admin.site.empty_value_display = _("(saknas)")
