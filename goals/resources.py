"""Excel and CSV in and out (django-import-export): one column format both ways.

Rows are matched by natural keys (unit code, goal code, indicator code, year, occasion
name), never by database ids. Errors are Swedish and name the column. Exported text that a
spreadsheet would run as a formula is neutralised with a leading apostrophe, which the
import removes again, so an exported file edited in Excel imports back unchanged.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from import_export import fields, resources

from . import audit
from .import_merge import SinceExportMixin
from .import_widgets import (  # noqa: F401 (neutralise, unneutralise: imported from here too)
    VERSION_COLUMN,
    CellDiff,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    NumbersWidget,
    OccasionWidget,
    PlanWidget,
    SwedishDecimalWidget,
    TargetsField,
    VersionWidget,
    YearWidget,
    YesNoWidget,
    check_targets,
    format_number,
    neutralise,
    save_targets,
    targets_at_version,
    unneutralise,
)
from .models import (
    Activity,
    AuditEntry,
    DirectionGoal,
    Indicator,
    Measurement,
    OperationalPlan,
    OrgUnit,
    OverarchingGoal,
    PlanYear,
    StrategicArea,
    Strategy,
)
from .permissions import access_for, subtree_q_for, tree_order
from .spreadsheets import sheet_title

MAX_ROWS = 5000


# --- the resources ---------------------------------------------------------------------------


class ScopedResource(SinceExportMixin, resources.ModelResource):
    """Knows the importing user: rows outside their editable subtree are refused."""

    #: Swedish name of the kind of row, for messages and the page.
    title = ""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.stale_rows = 0  # rows refused because they changed since the file was exported
        if self.versioned():
            # Last column: the version each row had at export, so that an import of an older
            # file keeps what others saved since (merge_since_export).
            self.fields["version"] = fields.Field(
                attribute="version",
                column_name=VERSION_COLUMN,
                widget=VersionWidget(),
                readonly=True,
            )

    @classmethod
    def versioned(cls) -> bool:
        return any(f.name == "version" for f in cls._meta.model._meta.concrete_fields)

    def unit_of_row(self, instance):  # pragma: no cover - each resource says
        raise NotImplementedError

    def get_diff_class(self):
        return CellDiff  # the preview shows each changed cell, old → new

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        dataset.title = sheet_title(self.title)  # the sheet is named after what it holds
        return dataset

    def key_columns(self) -> list[str]:
        """The columns that name a row (its natural key)."""
        return [self.fields[f].column_name for f in self.get_import_id_fields()]

    def before_import(self, dataset, **kwargs):
        self._seen_keys = {}

    def before_import_row(self, row, **kwargs):
        for key in list(row.keys()):
            # An empty spreadsheet cell arrives as None; text columns store "".
            value = "" if row[key] is None else unneutralise(row[key])
            if isinstance(value, str):
                value = value.replace("\x00", "")  # PostgreSQL refuses NUL in text
            row[key] = value
        natural_key = tuple(
            str(row.get(c) if row.get(c) is not None else "").strip().removesuffix(".0")
            for c in self.key_columns()
        )
        number = kwargs.get("row_number")
        seen = getattr(self, "_seen_keys", {})
        if natural_key in seen:
            raise ValueError(
                f"Raden finns redan som rad {seen[natural_key]} "
                f"({', '.join(v for v in natural_key if v)})."
            )
        seen[natural_key] = number
        self._seen_keys = seen

    def import_instance(self, instance, row, **kwargs):
        if instance.pk is not None and self.versioned() and not self.stored_outside(instance):
            self.merge_since_export(instance, row)
        super().import_instance(instance, row, **kwargs)

    def clean_exclude(self, instance) -> set[str]:
        """Fields the model's own validation must leave alone for this row."""
        return set()

    def stored_owner(self, instance):
        """The unit that owns the row as it is stored; changing it needs rights there too."""
        return self.unit_of_row(instance)

    def row_name(self, instance) -> str:
        """The row's natural key, as the user wrote it, for messages."""
        return str(getattr(instance, "code", "") or instance)

    def get_or_init_instance(self, instance_loader, row):
        """Rows are found by their natural key anywhere; who owns the stored row is kept.

        The owner is read before the row's new values are set on the instance, so that
        validate_instance can refuse a row that lies outside the user's subtree today, not
        only one that the file would move outside it.
        """
        instance, new = super().get_or_init_instance(instance_loader, row)
        if not new:
            try:
                instance._stored_owner = self.stored_owner(instance)
            except ObjectDoesNotExist:
                instance._stored_owner = None
        return instance, new

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own rules (full_clean) plus: only what the user may change."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=set(errors) | self.clean_exclude(instance), validate_unique=validate_unique
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if self.user is not None:
            errors = self._refuse_outside(instance, errors)
        if errors:
            raise ValidationError(errors)

    def stored_outside(self, instance) -> bool:
        """Whether the row, as it is stored, lies outside what the user may change."""
        stored = getattr(instance, "_stored_owner", None)
        return bool(self.user and stored and not access_for(self.user).can_edit(stored))

    def outside_reason(self, instance, *, otherwise_valid: bool = True) -> str:
        """Why the row lies outside what the user may change, as stored or as the file would
        leave it ("" when it does not). The message names only what the user wrote."""
        if self.user is None:
            return ""
        if self.stored_outside(instance):
            return f"{self.row_name(instance)} finns inte bland det du får ändra."
        access = access_for(self.user)
        try:
            unit = self.unit_of_row(instance)
        except ObjectDoesNotExist:
            unit = None
        if unit is None:
            # No owner at all (an org unit without a parent is a new municipality): only
            # whoever changes everything places such a row. A row missing its owner's column
            # has its own error already.
            if otherwise_valid and not access.edits_everything:
                return f"{self.row_name(instance)} måste ligga inom det du får ändra."
            return ""
        if not access.can_edit(unit):
            return f"{unit.name} ligger utanför det du får ändra."
        return ""

    def _refuse_outside(self, instance, errors: dict) -> dict:
        """Both the stored row's owner and its new one must lie in the user's subtree."""
        reason = self.outside_reason(instance, otherwise_valid=not errors)
        if reason:
            errors.setdefault("__all__", []).append(reason)
        return errors

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # django-import-export decides "unchanged" before it validates: a row outside is
        # never skipped, so that it is refused instead of confirming what is stored there.
        if self.outside_reason(instance):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_import(self, dataset, result, **kwargs):
        """A confirmed import leaves one audit entry, in its own transaction: the import page
        and the admin's import both come here (the page passes file_name, the admin too)."""
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        totals = result.totals
        audit.record(
            action=AuditEntry.Action.IMPORT,
            user=self.user,
            summary=f"{self.title}: {kwargs.get('file_name') or 'fil'} – "
            f"{totals.get('new', 0)} nya, {totals.get('update', 0)} ändrade, "
            f"{totals.get('skip', 0)} oförändrade rader",
        )

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [neutralise(v) for v in super().export_resource(instance, selected_fields, **kwargs)]

    def before_save_instance(self, instance, row, **kwargs):
        if hasattr(instance, "version") and instance.pk:
            current = (
                type(instance)
                .objects.select_for_update()
                .filter(pk=instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            self.recheck_before_write(instance, current)
            instance.version = (current or 0) + 1
        if self.user is not None:
            instance._history_user = self.user


class OrgUnitResource(ScopedResource):
    title = "Organisation"
    code = fields.Field(attribute="code", column_name="kod")
    name = fields.Field(attribute="name", column_name="namn")
    kind = fields.Field(
        attribute="kind", column_name="typ", widget=ChoiceWidget(OrgUnit.Kind.choices, "typ")
    )
    parent = fields.Field(
        attribute="parent",
        column_name="överordnad",
        widget=CodeWidget(OrgUnit, "code", "överordnad enhet"),
    )
    own_operation = fields.Field(
        attribute="own_operation", column_name="egen verksamhet", widget=YesNoWidget()
    )
    kolada_id = fields.Field(attribute="kolada_id", column_name="kolada-id")

    class Meta:
        model = OrgUnit
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "parent", "own_operation", "kolada_id"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False  # validate_instance runs full_clean itself

    def get_export_queryset(self, request=None):
        return OrgUnit.objects.select_related("parent").order_by(*tree_order())

    def unit_of_row(self, instance):
        # A unit is placed (and its kind chosen) by whoever may change its parent; a unit
        # without a parent is a municipality, placed only by whoever changes everything.
        return instance.parent

    def stored_owner(self, instance):
        # Changing a unit (its name, its parent) needs rights over the unit as it stands.
        return instance

    def clean_exclude(self, instance):
        opts = instance._mptt_meta
        return {opts.left_attr, opts.right_attr, opts.level_attr, opts.tree_id_attr}

    def import_data(self, dataset, *args, **kwargs):
        from .services import org_tree_lock

        # django-mptt rewrites many rows per insert: hold the tree's lock throughout.
        with org_tree_lock():
            return super().import_data(dataset, *args, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        if not kwargs.get("dry_run"):
            OrgUnit.objects.rebuild()
        super().after_import(dataset, result, **kwargs)


class DirectionGoalResource(ScopedResource):
    title = "Inriktningsmål"
    code = fields.Field(attribute="code", column_name="kod")
    committee = fields.Field(
        attribute="committee",
        column_name="nämnd",
        widget=CodeWidget(
            OrgUnit, "code", "nämnd", queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE)
        ),
    )
    strategic_area = fields.Field(
        attribute="strategic_area",
        column_name="strategiområde",
        widget=CodeWidget(StrategicArea, "number", "strategiområde (nummer)"),
    )
    title_ = fields.Field(attribute="title", column_name="inriktningsmål")
    description = fields.Field(attribute="description", column_name="beskrivning")
    overarching_goals = fields.Field(
        attribute="overarching_goals",
        column_name="övergripande mål",
        widget=NumbersWidget(OverarchingGoal, "övergripande mål"),
    )
    strategies = fields.Field(
        attribute="strategies",
        column_name="strategier",
        widget=NumbersWidget(Strategy, "strategi"),
    )
    valid_from = fields.Field(
        attribute="valid_from", column_name="gäller från", widget=YearWidget()
    )
    valid_to = fields.Field(attribute="valid_to", column_name="gäller till", widget=YearWidget())
    archived = fields.Field(attribute="archived", column_name="arkiverat", widget=YesNoWidget())

    class Meta:
        model = DirectionGoal
        import_id_fields = ["code"]
        fields = [
            "code",
            "committee",
            "strategic_area",
            "title_",
            "description",
            "overarching_goals",
            "strategies",
            "valid_from",
            "valid_to",
            "archived",
        ]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False  # validate_instance runs full_clean itself

    def get_export_queryset(self, request=None):
        return (
            DirectionGoal.objects.select_related("committee", "strategic_area")
            .prefetch_related("overarching_goals", "strategies")
            .order_by("committee__code", "code")
        )

    def unit_of_row(self, instance):
        return instance.committee if instance.committee_id else None

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        start, end = instance.valid_from, instance.valid_to
        if instance.pk and start and end and not self.stored_outside(instance):
            field, reason = instance.stranded_by(start, end)
            if reason:
                raise ValidationError({field: reason})


class IndicatorResource(ScopedResource):
    title = "Indikatorer med målvärden"

    def __init__(self, user=None, confirmed_removals=None, **kwargs):
        super().__init__(user=user, **kwargs)
        #: The (code, year) of targets the preview said it would remove; None: no preview.
        self.confirmed_removals = confirmed_removals
        #: (code, year, value) of the targets the import removes (or would, in a dry run).
        self.removed_targets = []

    code = fields.Field(attribute="code", column_name="kod")
    direction_goal = fields.Field(
        attribute="direction_goal",
        column_name="inriktningsmål",
        widget=CodeWidget(DirectionGoal, "code", "inriktningsmål (kod)"),
    )
    name = fields.Field(attribute="name", column_name="namn")
    unit_of_measure = fields.Field(attribute="unit_of_measure", column_name="enhet")
    higher_is_better = fields.Field(
        attribute="higher_is_better", column_name="högre är bättre", widget=YesNoWidget()
    )
    baseline_year = fields.Field(
        attribute="baseline_year", column_name="basår", widget=YearWidget()
    )
    baseline_value = fields.Field(
        attribute="baseline_value", column_name="basvärde", widget=SwedishDecimalWidget()
    )
    kolada_kpi = fields.Field(attribute="kolada_kpi", column_name="kolada-id")
    source = fields.Field(attribute="source", column_name="källa")
    owner = fields.Field(
        attribute="owner",
        column_name="ansvarig",
        widget=CodeWidget(get_user_model(), "username", "användare (ansvarig)"),
    )
    targets = TargetsField(attribute="targets", column_name="målvärden")

    class Meta:
        model = Indicator
        import_id_fields = ["code"]
        fields = [
            "code",
            "direction_goal",
            "name",
            "unit_of_measure",
            "higher_is_better",
            "baseline_year",
            "baseline_value",
            "kolada_kpi",
            "source",
            "owner",
            "targets",
        ]
        skip_unchanged = False
        report_skipped = True
        use_transactions = True
        clean_model_instances = False  # validate_instance runs full_clean itself

    def get_export_queryset(self, request=None):
        return (
            Indicator.objects.select_related("direction_goal", "owner")
            .prefetch_related("targets")
            .order_by("direction_goal__code", "code")
        )

    def unit_of_row(self, instance):
        return instance.direction_goal.committee if instance.direction_goal_id else None

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        instance._stored_owner_user_id = None if new else instance.owner_id
        return instance, new

    def value_at_version(self, field, row, record, instance, stored):
        if isinstance(field, TargetsField):
            return targets_at_version(instance, record)
        return super().value_at_version(field, row, record, instance, stored)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if self.stored_outside(instance):
            return  # refused in validate_instance; nothing of the stored row is told
        goal = instance.direction_goal if instance.direction_goal_id else None
        self._check_owner(instance, goal)
        # A file without the column leaves the targets as they are.
        targets = getattr(instance, "_imported_targets", None)
        if targets is not None:
            check_targets(instance, targets, goal, confirmed=self.confirmed_removals)

    def _check_owner(self, instance, goal) -> None:
        """The responsible person has a role in the goal's committee or below it, as on the
        indicator form (whoever is responsible now stays)."""
        owner_id = instance.owner_id
        if owner_id is None or goal is None or owner_id == instance._stored_owner_user_id:
            return
        if self.user is None or access_for(self.user).edits_everything:
            return  # an administrator restoring an export names anyone, as in the admin
        member = (
            get_user_model()
            .objects.filter(pk=owner_id, is_active=True)
            .filter(subtree_q_for([goal.committee], "memberships__org_unit__"))
            .exists()
        )
        if not member:
            raise ValidationError(
                {"owner": "Välj en ansvarig med en roll i nämnden eller i en enhet under den."}
            )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or self.outside_reason(instance):
            return False
        if original is None or not original.pk:
            return False
        wanted = getattr(instance, "_imported_targets", None)
        same_targets = wanted is None or {t.year: t.value for t in original.targets.all()} == wanted
        fields_same = all(
            getattr(original, f) == getattr(instance, f)
            for f in (
                "direction_goal_id",
                "name",
                "unit_of_measure",
                "higher_is_better",
                "baseline_year",
                "baseline_value",
                "kolada_kpi",
                "source",
                "owner_id",
            )
        )
        return same_targets and fields_same

    def after_save_instance(self, instance, row, **kwargs):
        wanted = getattr(instance, "_imported_targets", None)
        if wanted is None:
            return  # the file has no målvärden column: the targets stay as they are
        removed = save_targets(instance, wanted, user=self.user)
        self.removed_targets += [(instance.code, year, value) for year, value in removed]


class MeasurementResource(ScopedResource):
    title = "Utfall"
    indicator = fields.Field(
        attribute="indicator",
        column_name="indikator",
        widget=CodeWidget(Indicator, "code", "indikator (kod)"),
    )
    year = fields.Field(column_name="år", readonly=True)
    occasion = fields.Field(attribute="occasion", column_name="tillfälle", widget=OccasionWidget())
    value = fields.Field(attribute="value", column_name="utfall", widget=SwedishDecimalWidget())
    comment = fields.Field(attribute="comment", column_name="kommentar")
    source = fields.Field(
        attribute="source",
        column_name="källa",
        widget=ChoiceWidget(Measurement.Source.choices, "källa"),
    )

    class Meta:
        model = Measurement
        import_id_fields = ["indicator", "occasion"]
        fields = ["indicator", "year", "occasion", "value", "comment", "source"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False  # validate_instance runs full_clean itself

    def key_columns(self):
        return ["indikator", "år", "tillfälle"]

    def dehydrate_year(self, measurement):
        return measurement.occasion.plan_year.year

    def get_export_queryset(self, request=None):
        return Measurement.objects.select_related("indicator", "occasion__plan_year").order_by(
            "indicator__code", "occasion__period_end"
        )

    def unit_of_row(self, instance):
        return instance.indicator.direction_goal.committee if instance.indicator_id else None

    def row_name(self, instance):
        return f"Utfallet för {instance.indicator.code}"

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if row.get("källa") in (None, ""):
            row["källa"] = Measurement.Source.IMPORT


class ActivityResource(ScopedResource):
    title = "Aktiviteter"
    plan = fields.Field(attribute="plan", column_name="enhet", widget=PlanWidget())
    year = fields.Field(column_name="år", readonly=True)
    direction_goal = fields.Field(
        attribute="direction_goal",
        column_name="inriktningsmål",
        widget=CodeWidget(DirectionGoal, "code", "inriktningsmål (kod)"),
    )
    title_ = fields.Field(attribute="title", column_name="aktivitet")
    description = fields.Field(attribute="description", column_name="beskrivning")
    responsible = fields.Field(attribute="responsible", column_name="ansvarig")
    starts_on = fields.Field(attribute="starts_on", column_name="start", widget=DateWidget())
    ends_on = fields.Field(attribute="ends_on", column_name="slut", widget=DateWidget())
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(Activity.Status.choices, "status"),
    )

    class Meta:
        model = Activity
        import_id_fields = ["plan", "title_"]
        fields = [
            "plan",
            "year",
            "direction_goal",
            "title_",
            "description",
            "responsible",
            "starts_on",
            "ends_on",
            "status",
        ]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False  # validate_instance runs full_clean itself

    def key_columns(self):
        return ["enhet", "år", "aktivitet"]

    def dehydrate_year(self, activity):
        return activity.plan.plan_year.year

    def get_export_queryset(self, request=None):
        return Activity.objects.select_related(
            "plan__org_unit", "plan__plan_year", "direction_goal"
        ).order_by("plan__plan_year__year", "plan__org_unit__code", "title")

    def get_instance(self, instance_loader, row):
        """Natural key: (unit, year, title)."""
        year = str(row.get("år") or "").strip().removesuffix(".0")
        return (
            Activity.objects.filter(
                plan__org_unit__code=str(row.get("enhet") or "").strip(),
                plan__plan_year__year=int(year) if year.isdigit() else -1,
                title=str(row.get("aktivitet") or "").strip(),
            )
            .select_related("plan")
            .first()
        )

    def unit_of_row(self, instance):
        return instance.plan.org_unit

    def row_name(self, instance):
        return f"Aktiviteten ”{instance.title}”"

    def clean_exclude(self, instance):
        try:
            return {"plan"} if instance.plan.pk is None else set()
        except ObjectDoesNotExist:
            return set()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        # The model checks the goal against a saved plan only; a new plan is checked here.
        try:
            plan, goal = instance.plan, instance.direction_goal
        except ObjectDoesNotExist:
            return
        committee = plan.org_unit.committee
        if committee is None or goal.committee_id != committee.pk:
            raise ValidationError({"direction_goal": f"{goal.code} hör inte till enhetens nämnd."})
        if not goal.covers_year(plan.plan_year.year):
            raise ValidationError(
                {"direction_goal": f"{goal.code} gäller inte {plan.plan_year.year}."}
            )

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.plan.pk is None:
            plan = instance.plan
            if self.user is not None:
                plan._history_user = self.user
            plan.full_clean(validate_constraints=False)
            plan.save()
            instance.plan = plan


class OperationalPlanResource(ScopedResource):
    title = "Verksamhetsplaner (grunduppdrag)"
    org_unit = fields.Field(
        attribute="org_unit", column_name="enhet", widget=CodeWidget(OrgUnit, "code", "enhet")
    )
    plan_year = fields.Field(
        attribute="plan_year",
        column_name="år",
        widget=CodeWidget(PlanYear, "year", "verksamhetsår"),
    )
    basic_mission = fields.Field(attribute="basic_mission", column_name="grunduppdrag")

    class Meta:
        model = OperationalPlan
        import_id_fields = ["org_unit", "plan_year"]
        fields = ["org_unit", "plan_year", "basic_mission"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False

    def get_export_queryset(self, request=None):
        return OperationalPlan.objects.select_related("org_unit", "plan_year").order_by(
            "plan_year__year", "org_unit__code"
        )

    def unit_of_row(self, instance):
        return instance.org_unit

    def row_name(self, instance):
        return f"Verksamhetsplanen för {instance.org_unit.code}"

    def clean_exclude(self, instance):
        return {"previous"}


RESOURCES = {
    "organisation": OrgUnitResource,
    "mal": DirectionGoalResource,
    "indikatorer": IndicatorResource,
    "utfall": MeasurementResource,
    "planer": OperationalPlanResource,
    "aktiviteter": ActivityResource,
}
