"""An import of an older export keeps what others saved since (goals/resources.py).

Every exported kind with a version ends with the column "version": the row's version when
the file was exported. On import, a row whose file version is older than the stored one is
compared, column by column, with the row as it stood at that version (from its history).
"""

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone
from import_export import widgets

from .import_widgets import VERSION_COLUMN, VersionWidget


def _unreadable(text: str) -> tuple:
    """A cell the import cannot read, to compare: equal only to the same unreadable text."""
    return ("?", text)


class SinceExportMixin:
    """The check of a row against the version it was exported at; for ScopedResource, which
    counts the rows it refuses in `stale_rows`."""

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

    def recheck_before_write(self, instance, current) -> None:
        """Refuse the row when it was saved by someone else between the check against the
        file (merge_since_export, which read `current` without a lock) and this write."""
        checked = getattr(instance, "_import_checked_version", None)
        if checked is not None and current != checked:
            self.stale_rows += 1
            raise ValidationError("Raden sparades av någon annan just nu. Importera filen igen.")
