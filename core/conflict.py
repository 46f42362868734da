"""The one answer to "someone else saved first": 409, the user's input kept, what changed.

Every versioned form (goals, quality, governance) answers a stale save the same way: the page
again with status 409, the message below, the form rebuilt on the stored row with what the
user typed (and the version moved on, so that saving again is a deliberate choice), and the
changes made meanwhile listed beside it (`history`, from the caller's history reader).
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _

CONFLICT_MESSAGE = (
    "Någon annan har sparat ändringar medan du redigerade. Dina ändringar är inte sparade "
    "men finns kvar i formuläret. Jämför med ändringarna nedan och spara igen om dina "
    "värden ska gälla."
)


def render_conflict(request, *, template, context, current, history, form, rebuild=None):
    """409 with the typed values on `current` (the row as stored now) and `history` beside.

    `rebuild(data, current)` makes the form again; by default the form's own class with
    the stored row as its instance.
    """
    context["conflict"] = history
    message = _(CONFLICT_MESSAGE)
    if request.FILES:
        message += " " + _("En vald fil behöver väljas igen.")
    messages.error(request, message)
    data = request.POST.copy()
    data[form.add_prefix("version")] = str(current.version)
    fresh = rebuild(data, current) if rebuild else type(form)(data, instance=current)
    fresh.is_valid()
    context["form"] = fresh
    return render(request, template, context, status=409)


# --- field by field: theirs and yours side by side ---------------------------------------------

CHOICE_PREFIX = "konflikt-"
THEIRS, MINE = "deras", "mitt"
SAME_USER = "du, i ett annat fönster"


@dataclass
class FieldConflict:
    """One field someone else changed after the user opened the form."""

    name: str  # the field's name in the form data
    field_id: str  # its id on the page, to link to it
    label: str
    theirs: str  # shown as the user writes it ("–" when empty)
    yours: str
    who: str  # who changed it ("du, i ett annat fönster" when the user did, elsewhere)
    touched: bool  # the user changed it too
    theirs_data: str  # their value as form data: prefilled, and kept for "Behåll deras"
    yours_data: str

    @property
    def choice(self) -> str:
        """The default: theirs where you did not touch the field, yours where you did."""
        return MINE if self.touched else THEIRS


def _as_data(field, value) -> str:
    """A stored value as the field's form data (what its widget would show)."""
    if value is None:
        return ""
    shown = field.widget.format_value(field.prepare_value(value))
    if isinstance(shown, list):
        shown = shown[0] if shown else ""
    return "" if shown is None else str(shown)


def _norm(raw) -> str:
    return str(raw or "").replace("\r\n", "\n").strip()


def _differs(field, value, raw) -> bool:
    """Whether posted `raw` differs from stored `value`, as the field reads both."""
    if _norm(_as_data(field, value)) == _norm(raw):
        return False
    return field.has_changed(value, _norm(raw))


def _shown(field, raw) -> str:
    if _norm(raw) == "":
        return "–"
    choices = getattr(field, "choices", None)
    if choices:
        return str({str(k): v for k, v in choices}.get(str(raw), raw))
    return str(raw)


def changer_name(user, *, acting_user) -> str:
    if user is None:
        return _("Systemet (import eller demodata)")
    if user.pk == acting_user.pk:
        return _(SAME_USER)
    return user.get_full_name() or user.get_username()


def field_conflicts(items, *, data, acting_user) -> list[FieldConflict]:
    """The fields changed in between, and `data` (a mutable copy of the post) prefilled.

    `items`: (bound form, field name, label, value when opened, value now, who changed it)
    per field. A field is listed when its value now differs from the value when the user
    opened the form, and from what the user sent; where the user did not touch it, `data`
    takes their value, so that saving again keeps it unless the user chooses otherwise.
    """
    conflicts = []
    for form, name, label, opened, now, who in items:
        field = form.fields[name]
        key = form.add_prefix(name)
        posted = data.get(key, "")
        if not _differs(field, opened, _as_data(field, now)):
            continue  # nobody else changed it
        if not _differs(field, now, posted):
            continue  # the user typed what they saved: nothing to choose
        theirs = _as_data(field, now)
        conflict = FieldConflict(
            name=key,
            field_id=form[name].auto_id,
            label=label,
            theirs=_shown(field, theirs),
            yours=_shown(field, posted),
            who=changer_name(who, acting_user=acting_user),
            touched=_differs(field, opened, posted),
            theirs_data=theirs,
            yours_data=posted,
        )
        if not conflict.touched:
            data[key] = theirs
        conflicts.append(conflict)
    return conflicts


def apply_choices(data):
    """A save after a conflict: each listed field takes the value its radio button chose.

    A field whose value is still theirs or yours follows the choice (the page may have
    prefilled either); a field typed into afresh keeps what was typed. `data`: the post.
    """
    keys = [k for k in data if k.startswith(CHOICE_PREFIX) and k.endswith(f"-{THEIRS}")]
    if not keys:
        return data
    data = data.copy()
    for key in keys:
        name = key[len(CHOICE_PREFIX) : -len(THEIRS) - 1]
        theirs = data.get(key, "")
        yours = data.get(f"{CHOICE_PREFIX}{name}-{MINE}", "")
        choice = data.get(f"{CHOICE_PREFIX}{name}")
        if choice in (THEIRS, MINE) and _norm(data.get(name, "")) in (_norm(theirs), _norm(yours)):
            data[name] = theirs if choice == THEIRS else yours
    return data


def conflict_message(names: list[str]) -> str:
    """Who saved in between, named; the user's own other window said as such."""
    others = [n for n in names if n != SAME_USER]
    if not others:
        return _(
            "Du har sparat uppföljningen i ett annat fönster medan du redigerade här. Det du "
            "skrev här är inte sparat men finns kvar. Välj för varje fält nedan vilket värde "
            "som ska gälla och spara igen."
        )
    who = " och ".join([", ".join(others[:-1]), others[-1]] if len(others) > 1 else others)
    if SAME_USER in names:
        who += " (och du, i ett annat fönster)"
    return _(
        "%(who)s har sparat ändringar medan du redigerade. Det du skrev är inte sparat men "
        "finns kvar. Välj för varje fält nedan vilket värde som ska gälla och spara igen."
    ) % {"who": who}


# --- refused because the row was locked meanwhile: what the user typed, to copy ---------------


@dataclass
class TypedValue:
    """One field the user changed, as typed, when the save was refused and nothing was kept."""

    label: str
    value: str  # as the user wrote it; a choice as its words; "" when the user emptied it

    @property
    def emptied(self) -> bool:
        return self.value == ""


def typed_values(fields) -> list[TypedValue]:
    """The fields whose posted value differs from the form's initial (the row as saved).

    `fields`: (bound form, field name, label) per field, in page order.
    """
    typed = []
    for form, name, label in fields:
        if not form.is_bound or name not in form.changed_data:
            continue
        field = form.fields[name]
        key = form.add_prefix(name)
        if key not in form.data and not isinstance(field, forms.BooleanField):
            continue  # not on the page the user sent (a box left unticked is, by its absence)
        posted = form.data.get(key, "")
        if not _differs(field, form[name].initial, posted):
            continue
        value = "" if _norm(posted) == "" else _shown(field, posted)
        typed.append(TypedValue(label=label, value=value))
    return typed
