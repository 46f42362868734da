"""Who changed what and when, from the models' history, as the pages show it."""

from dataclasses import dataclass

from ..models import (
    Target,
)


@dataclass
class HistoryChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: str
    action: str
    version: int | None
    changes: list[HistoryChange]


_ACTIONS = {"+": "Skapad", "~": "Ändrad", "-": "Borttagen"}


def _display(model, name: str, value, current=None) -> str:
    """A historical value as the user knows it: labels, names, Swedish numbers.

    `current`: the object whose history this is; a foreign key that still points where it
    did is named from the related object already loaded on it, without a query.
    """
    from core.formats import format_swedish_number

    if value is None or value == "" or value == []:
        return "–"
    field = model._meta.get_field(name)
    if field.many_to_many:
        related = field.related_model
        key = related._meta.model_name
        ids = [row.get(key) for row in value if isinstance(row, dict)]
        objects = related.objects.in_bulk(ids)
        return "; ".join(str(objects[i]) if i in objects else f"#{i}" for i in sorted(ids))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        if (
            current is not None
            and field.is_cached(current)
            and getattr(current, field.attname) == value
        ):
            obj = getattr(current, field.name)
        else:
            obj = field.related_model._default_manager.filter(pk=value).first()
        if obj is None:
            return f"#{value}"
        if hasattr(obj, "get_full_name"):
            return obj.get_full_name() or obj.get_username()
        return str(obj)
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if field.get_internal_type() == "DecimalField":
        return format_swedish_number(value)
    if field.get_internal_type() == "DateField":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return "Systemet (import eller demodata)"
    return user.get_full_name() or user.get_username()


class HistoryList(list):
    """History entries, newest first; `truncated` when older ones were left out."""

    truncated = False


def history_entries(
    obj, *, since_version: int | None = None, latest: int | None = None
) -> HistoryList:
    """Who changed what and when, newest first, one entry per save.

    Saving a goal's links writes several history rows (the row, then each m2m change);
    rows with the same version are one save, so they are merged into one entry.
    `latest`: only that many of the newest saves (each compared with the save before it),
    so that a page's cost does not grow with every save; `.truncated` says there are more.
    """
    model = type(obj)
    has_version = any(f.name == "version" for f in model._meta.fields)
    history = obj.history.select_related("history_user")
    truncated = False
    if latest is None:
        records = list(history.order_by("history_date", "pk"))
    else:
        # The newest rows, and one save more as the baseline of the oldest shown (a save of
        # links writes a few rows, hence the margin).
        limit = (latest + 1) * 4
        records = list(history.order_by("-history_date", "-pk")[:limit])
        truncated = len(records) == limit
        records.reverse()
    groups: list[list] = []
    for record in records:
        previous_record = groups[-1][-1] if groups else None
        same_save = (
            has_version
            and previous_record is not None
            and previous_record.version == record.version
            and previous_record.history_user_id == record.history_user_id
            and (record.history_date - previous_record.history_date).total_seconds() < 5
        )
        if same_save:
            groups[-1].append(record)
        else:
            groups.append([record])
    excluded = ["version"]
    labels = {
        f.name: str(f.verbose_name) for f in model._meta.get_fields() if hasattr(f, "verbose_name")
    }
    entries = []
    previous = None
    for n, group in enumerate(groups):
        last = group[-1]
        first = group[0]
        if truncated and n == 0:
            previous = last  # the baseline of the oldest save shown, not shown itself
            continue
        if previous is None:
            changes = []
            for f in model._meta.fields:
                if f.name in ("id", "version") or not f.editable:
                    continue
                value = getattr(last, f.attname)
                if value not in (None, "", False) or isinstance(value, bool):
                    changes.append(
                        HistoryChange(
                            labels.get(f.name, f.name), "–", _display(model, f.name, value, obj)
                        )
                    )
            for f in model._meta.many_to_many:
                manager = getattr(last, f.name, None)
                if manager is None or not hasattr(manager, "values"):
                    continue
                key = f.related_model._meta.model_name
                rows = list(manager.values(key))
                if rows:
                    changes.append(
                        HistoryChange(
                            labels.get(f.name, f.name), "–", _display(model, f.name, rows)
                        )
                    )
            action = _ACTIONS.get(first.history_type, "Ändrad")
        else:
            delta = last.diff_against(previous, excluded_fields=excluded)
            changes = [
                HistoryChange(
                    labels.get(c.field, c.field),
                    _display(model, c.field, c.old, obj),
                    _display(model, c.field, c.new, obj),
                )
                for c in delta.changes
            ]
            action = _ACTIONS.get(last.history_type, "Ändrad")
        previous = last
        if action == "Ändrad" and not changes:
            continue
        entries.append(
            HistoryEntry(
                when=last.history_date,
                who=_who(last),
                action=action,
                version=last.version if has_version else None,
                changes=changes,
            )
        )
    if since_version is not None and has_version:
        entries = [e for e in entries if e.version is not None and e.version > since_version]
    entries.reverse()
    out = HistoryList(entries[:latest] if latest is not None else entries)
    out.truncated = truncated or (latest is not None and len(entries) > latest)
    return out


def target_history(indicator, *, since_version: int | None = None) -> list[HistoryEntry]:
    """Changes of an indicator's targets, newest first (after `since_version` if given)."""
    records = Target.history.filter(indicator_id=indicator.pk).select_related("history_user")
    since = None
    if since_version is not None:
        since = (
            indicator.history.filter(version=since_version)
            .order_by("-history_date")
            .values_list("history_date", flat=True)
            .first()
        )
    last: dict[int, tuple] = {}
    entries = []
    for record in records.order_by("history_date", "pk"):
        old_year, old_value = last.get(record.id, (None, None))
        new_value = None if record.history_type == "-" else record.value
        last[record.id] = (record.year, new_value)
        if old_year is not None and old_year != record.year:
            change = HistoryChange(
                "Målvärde (år ändrat)",
                f"{old_year}: {_display(Target, 'value', old_value)}",
                f"{record.year}: {_display(Target, 'value', new_value)}",
            )
        else:
            change = HistoryChange(
                f"Målvärde {record.year}",
                _display(Target, "value", old_value),
                _display(Target, "value", new_value),
            )
        if since is not None and record.history_date <= since:
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=_who(record),
                action=_ACTIONS.get(record.history_type, "Ändrad"),
                version=None,
                changes=[change],
            )
        )
    entries.reverse()
    return entries
