"""Excel and CSV in and out (django-import-export): one column format both ways.

Rows are matched by natural keys (unit code, goal code, indicator code, year, occasion
name), never by database ids. Errors are Swedish and name the column. Exported text that a
spreadsheet would run as a formula is neutralised with a leading apostrophe, which the
import removes again, so an exported file edited in Excel imports back unchanged.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone
from import_export import fields, resources, widgets

from . import audit
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


def _unreadable(text: str) -> tuple:
    """A cell the import cannot read, to compare: equal only to the same unreadable text."""
    return ("?", text)


# --- the resources ---------------------------------------------------------------------------


class ScopedResource(resources.ModelResource):
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

    # --- an older file: keep what others saved since the export -----------------------------

    def merge_since_export(self, instance, row) -> None:
        """Make the row what the file changes and nothing else, when it is based on an older
        version than the stored one.

        The row as it stood at the file's version comes from the history. Per column: what the
        file leaves as it was then gets the stored value (others' later changes stay); what the
        file changes is imported when nobody else changed it since; a column both changed, to
        different values, refuses the row (and so the whole import). A row that is written is
        locked and its version checked again just before the write (before_save_instance), so
        that no save comes between this check and the write unnoticed; rows left as they are
        take no lock.
        """
        if VERSION_COLUMN not in row:
            return  # a file without the column (hand-made, or an older export): as before
        try:
            file_version = VersionWidget().clean(row[VERSION_COLUMN])
        except ValueError as error:
            raise ValidationError({"version": str(error)}) from None
        if file_version is None:
            return
        model = type(instance)
        # Read without a lock: most rows of a file are unchanged and never written. A row that
        # is written is locked and checked again just before (before_save_instance).
        current = model.objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        instance._import_checked_version = current
        if current != instance.version:
            self.stale_rows += 1
            raise ValidationError("Raden sparades av någon annan just nu. Importera filen igen.")
        if file_version == current:
            return
        if file_version > current:
            self.stale_rows += 1
            raise ValidationError(
                f"Filen har version {file_version} av raden, men den sparade är version "
                f"{current}. Exportera på nytt och gör om ändringen."
            )
        base = (
            instance.history.filter(version=file_version).order_by("-history_date", "-pk").first()
        )
        if base is None:
            self.stale_rows += 1
            raise ValidationError(
                f"Raden har okänd version {file_version} i filen (den sparade är version "
                f"{current}). Exportera på nytt och gör om ändringen."
            )
        conflicts = []
        for field in self._mergeable_fields(row):
            stored_cell = self.export_field(field, instance)
            stored = self._comparable(field, row, stored_cell)
            in_file = self._comparable(field, row, row[field.column_name])
            then = self.value_at_version(field, row, base, instance, stored)
            if in_file == then:
                row[field.column_name] = "" if stored_cell is None else stored_cell
            elif stored != then and in_file != stored:
                conflicts.append(field)
        if conflicts:
            self.stale_rows += 1
            raise ValidationError(self._conflict_message(instance, base, conflicts))

    def _mergeable_fields(self, row) -> list:
        keys = set(self.key_columns())
        return [
            f
            for f in self.get_import_fields()
            if not f.readonly and f.column_name not in keys and f.column_name in row
        ]

    def value_at_version(self, field, row, record, instance, stored):
        """The column's value as it stood at the version of the history `record`."""
        if isinstance(field.widget, widgets.ManyToManyWidget):
            links = getattr(record, field.attribute, None)
            if links is None or not hasattr(links, "values_list"):
                # The history holds no links for this field: the file's value counts as a
                # change only where it differs from the stored one, so a change others made
                # to it since the export is not protected.
                return stored
            key = field.widget.model._meta.model_name
            return frozenset(links.values_list(key, flat=True))
        try:
            cell = self.export_field(field, record.instance)
        except ObjectDoesNotExist:
            return _unreadable("")  # what it pointed at is gone: differs from anything now
        return self._comparable(field, row, cell)

    @staticmethod
    def _comparable(field, row, cell):
        """A cell as a value to compare: as the import reads it, so that 3, "3" and "3,0" of
        a number column, or "1, 3" and "3,1" of a list, are the same."""
        try:
            value = field.clean({**row, field.column_name: cell})
        except (ValueError, ValidationError, ObjectDoesNotExist):
            return _unreadable(str(cell))
        if isinstance(value, QuerySet):
            return frozenset(value.values_list("pk", flat=True))
        if isinstance(value, Model):
            return (value._meta.label, value.pk)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if type(field.widget) is widgets.Widget and isinstance(value, str | int):
            return str(value)  # plain text: Excel may have read "12" as the number 12
        return value

    def _conflict_message(self, instance, base, conflicts) -> str:
        """Who last changed the conflicting columns after the file's version, and when."""
        records = list(
            instance.history.filter(history_date__gt=base.history_date)
            .select_related("history_user")
            .order_by("history_date", "pk")
        )
        last = None
        for field in conflicts:
            change = self._last_change(field, base, records)
            if change is not None and (last is None or change.history_date > last.history_date):
                last = change
        if last is None:
            last = records[-1] if records else base
        user = last.history_user
        who = (user.get_full_name() or user.get_username()) if user else "systemet"
        when = timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M")
        columns = ", ".join(f.column_name for f in conflicts)
        return (
            f"Raden har ändrats av {who} {when} efter att filen exporterades ({columns}). "
            "Exportera på nytt och gör om ändringen."
        )

    def _last_change(self, field, base, records):
        """The last of `records` that changed the model field behind the column, if it can
        be told (a column of the row's own fields or of its tracked links)."""
        name = field.attribute or self.get_field_name(field)
        try:
            model_field = self._meta.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if model_field.many_to_many:
            key = model_field.related_model._meta.model_name

            def value(record):
                links = getattr(record, model_field.name, None)
                return None if links is None else set(links.values_list(key, flat=True))
        elif getattr(model_field, "concrete", False):

            def value(record):
                return getattr(record, model_field.attname)
        else:
            return None
        last, previous = None, value(base)
        for record in records:
            current = value(record)
            if current != previous:
                last = record
            previous = current
        return last

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
            checked = getattr(instance, "_import_checked_version", None)
            if checked is not None and current != checked:
                # Saved by someone else between the check against the file and this write.
                self.stale_rows += 1
                raise ValidationError(
                    "Raden sparades av någon annan just nu. Importera filen igen."
                )
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
