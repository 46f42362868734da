"""Forms of the quality pages: Swedish labels and errors, Swedish numbers and dates."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formats import parse_id
from core.forms import (
    AccessibleFormMixin,
    SwedishDecimalField,
    VersionedForm,
    direction_field,
    long_text_field,
)
from goals.forms import limit_responsible
from goals.models import OrgUnit
from goals.permissions import is_within, tree_order

from .models import Deviation, IndicatorMove, QualityControl, QualityMeasurement

DATE_FORMATS = ["%Y-%m-%d", "%Y%m%d", "%d/%m/%Y"]
DATE_ERROR = _("Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-04-30.")
DATE_HELP = _("Skriv som ÅÅÅÅ-MM-DD, t.ex. 2026-04-30.")


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _UnitTreeChoices(ModelChoiceIterator):
    """The units as a tree that reads well aloud: an <optgroup> per committee (the unit one
    level below the municipality) holding it and the units below it, each indented with
    no-break spaces by its depth in the group (screen readers say nothing for them, where
    "– – –" was read out as dashes). Units above the committees come first, ungrouped."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        units = list(self.queryset)
        heads = {h.pk: h for h in OrgUnit.objects.filter(level=1)} if units else {}
        groups: dict[int, list] = {}
        for unit in units:
            head = next((h for h in heads.values() if is_within(unit, h)), None)
            if head is None:  # the municipality itself
                yield self.choice(unit)
                continue
            groups.setdefault(head.pk, []).append(unit)
        for head_pk, members in groups.items():
            top = min(u.level for u in members)
            yield (
                heads[head_pk].name,
                [(self.choice(u)[0], "\u00a0\u00a0" * (u.level - top) + u.name) for u in members],
            )

    def __len__(self):
        return len(list(iter(self)))


class UnitChoiceField(forms.ModelChoiceField):
    iterator = _UnitTreeChoices
    default_error_messages = {
        "invalid_choice": _("Välj en enhet i listan; du kan bara välja enheter du ansvarar för.")
    }

    def label_from_instance(self, obj):
        return obj.name


def _preselect_single_unit(form, units) -> None:
    """A user who may choose one unit only finds it chosen (and no empty choice to pass by)."""
    field = form.fields["org_unit"]
    if form.is_bound or getattr(form.instance, "org_unit_id", None) or form.initial.get("org_unit"):
        return
    only = list(units[:2])
    if len(only) == 1:
        form.initial["org_unit"] = only[0].pk
        field.empty_label = None


def _subtree_roots(units) -> list[OrgUnit]:
    """The fewest units whose subtrees cover `units` (before a unit is chosen, the owner list
    holds the members of every unit the user may choose)."""
    roots: list[OrgUnit] = []
    for unit in units.order_by(*tree_order()):
        if not roots or not is_within(unit, roots[-1]):
            roots.append(unit)
    return roots


class _UnitFormMixin:
    def _setup_unit(self, units):
        field = self.fields["org_unit"]
        field.queryset = units
        field.empty_label = _("Välj enhet")
        _preselect_single_unit(self, units)


class QualityControlForm(_UnitFormMixin, VersionedForm):
    org_unit = UnitChoiceField(label=_("Enhet"), queryset=OrgUnit.objects.none())
    higher_is_better = direction_field()

    class Meta:
        model = QualityControl
        fields = [
            "org_unit",
            "name",
            "description",
            "frequency",
            "owner",
            "unit_of_measure",
            "higher_is_better",
            "active",
        ]
        labels = {
            "name": _("Namn"),
            "description": _("Vad som kontrolleras och hur"),
            "frequency": _("Hur ofta"),
            "owner": _("Ansvarig"),
            "unit_of_measure": _("Enhet för mätvärdet"),
            "active": _("Aktiv"),
        }
        help_texts = {
            "unit_of_measure": _("Till exempel %, antal eller dagar."),
            "active": _(
                "En kontroll som inte längre görs avaktiveras; den finns kvar i historiken."
            ),
        }
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_unit(units)
        if not self.is_bound:
            self.initial["higher_is_better"] = (
                "1" if (self.instance.higher_is_better if self.instance.pk else True) else "0"
            )
        unit = self._chosen_unit(units)
        limit_responsible(
            self.fields["owner"],
            [unit] if unit is not None else _subtree_roots(units),
            current_id=self.instance.owner_id,
        )

    def _chosen_unit(self, units) -> OrgUnit | None:
        """The unit the control is for: as posted, else as stored or preselected."""
        if self.is_bound:
            raw = self.data.get(self.add_prefix("org_unit"))
        elif self.instance.org_unit_id:
            raw = self.instance.org_unit_id
        else:
            raw = self.initial.get("org_unit")
        pk = parse_id(raw)
        return units.filter(pk=pk).first() if pk else None

    def clean_active(self):
        active = self.cleaned_data.get("active")
        control = self.instance
        if (
            not active
            and control.pk
            and IndicatorMove.objects.filter(control=control, reversed_at__isnull=True).exists()
        ):
            # Inactive while the move stands, the indicator would be followed up nowhere.
            raise forms.ValidationError(
                _(
                    "Kontrollen följer upp en indikator som är flyttad hit och kan inte "
                    "avaktiveras. Be en administratör ångra flytten om indikatorn ska tillbaka "
                    "till målstyrningen."
                )
            )
        return active


class QualityMeasurementForm(VersionedForm):
    value = SwedishDecimalField(label=_("Värde"), max_digits=14, decimal_places=2)

    class Meta:
        model = QualityMeasurement
        fields = ["measured_on", "period_label", "value", "comment"]
        labels = {
            "measured_on": _("Datum"),
            "period_label": _("Period (valfritt)"),
            "comment": _("Kommentar"),
        }
        help_texts = {"measured_on": DATE_HELP}
        widgets = {"measured_on": _date_widget(), "comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, control: QualityControl, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.control = control
        field = self.fields["measured_on"]
        field.input_formats = DATE_FORMATS
        field.error_messages["invalid"] = DATE_ERROR
        field.error_messages["required"] = _("Ange datum för mätningen.")
        self.fields["value"].error_messages["required"] = _("Skriv mätvärdet.")

    def clean_measured_on(self):
        day = self.cleaned_data["measured_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("En mätning kan inte ligga i framtiden."))
        return day


class DeviationForm(_UnitFormMixin, VersionedForm):
    org_unit = UnitChoiceField(label=_("Enhet"), queryset=OrgUnit.objects.none())

    class Meta:
        model = Deviation
        fields = [
            "org_unit",
            "occurred_on",
            "title",
            "description",
            "severity",
            "status",
            "harms_goal_fulfilment",
        ]
        labels = {
            "occurred_on": _("Datum för avvikelsen"),
            "title": _("Rubrik"),
            "description": _("Vad hände?"),
            "severity": _("Allvarlighetsgrad"),
            "status": _("Status"),
            "harms_goal_fulfilment": _("Avvikelsen påverkar måluppfyllelsen negativt"),
        }
        help_texts = {
            "occurred_on": DATE_HELP,
            "title": _("En kort rad som visas i listor och i verksamhetsplanen."),
        }
        widgets = {
            "occurred_on": _date_widget(),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_unit(units)
        field = self.fields["occurred_on"]
        field.input_formats = DATE_FORMATS
        field.error_messages["invalid"] = DATE_ERROR
        field.error_messages["required"] = _("Ange när avvikelsen inträffade.")
        self.fields["title"].error_messages["required"] = _("Skriv en kort rubrik.")
        self.fields["description"].error_messages["required"] = _("Beskriv vad som hände.")
        if self.instance.activity_id is not None:
            # The activity sits in this unit's plan: moving the deviation would break the link.
            unit = self.fields["org_unit"]
            unit.disabled = True
            unit.help_text = _(
                "Avvikelsen är lyft till enhetens verksamhetsplan och byter inte enhet."
            )
            self._bound_fields_cache.pop("org_unit", None)  # it copied the old help text
            self._describe()

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
        return day


class GoalChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("Välj ett av nämndens inriktningsmål för året i listan.")
    }

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title} ({obj.strategic_area.name})"


class LiftForm(AccessibleFormMixin, forms.Form):
    direction_goal = GoalChoiceField(
        label=_("Inriktningsmål som avvikelsen hotar"),
        queryset=None,
        empty_label=_("Välj inriktningsmål"),
        help_text=_("Bara nämndens mål som gäller verksamhetsåret kan väljas."),
        error_messages={"required": _("Välj vilket inriktningsmål aktiviteten ska tjäna.")},
    )
    title = forms.CharField(
        label=_("Aktivitet"),
        max_length=300,
        error_messages={"required": _("Skriv vad aktiviteten ska åstadkomma.")},
    )
    description = long_text_field(label=_("Beskrivning"), required=False, rows=4)
    responsible = forms.CharField(label=_("Ansvarig"), required=False, max_length=200)

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction_goal"].queryset = goals
        self._describe()


class IndicatorMoveForm(AccessibleFormMixin, forms.Form):
    org_unit = UnitChoiceField(
        label=_("Enhet som förvaltar kontrollen"), queryset=OrgUnit.objects.none()
    )
    reason = long_text_field(
        label=_("Varför flyttas indikatorn?"),
        help_text=_(
            "Till exempel: indikatorn kontrollerar bara att en hög kvalitet bibehålls och "
            "behöver ingen utveckling."
        ),
        rows=3,
        error_messages={"required": _("Skriv varför indikatorn flyttas.")},
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        field.queryset = units
        field.empty_label = None
        self._describe()


class MoveReverseForm(AccessibleFormMixin, forms.Form):
    reason = long_text_field(label=_("Varför ångras flytten? (valfritt)"), required=False)
