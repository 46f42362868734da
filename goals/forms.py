"""Planning forms: Swedish labels and messages, server-side validation, Swedish numbers."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import (
    AccessibleFormMixin,
    SafeModelMultipleChoiceField,
    SwedishDecimalField,
    VersionedForm,
    YearField,
    direction_field,
    long_text_field,
)

from .models import (
    ECONOMY_FIELDS,
    TEXT_FIELDS,
    Activity,
    DirectionGoal,
    Indicator,
    OperationalPlan,
    OrgUnit,
    OverarchingGoal,
    StrategicArea,
    Strategy,
    Submission,
    Target,
)
from .permissions import subtree_q_for


def limit_responsible(field: forms.ModelChoiceField, units, *, current_id: int | None) -> None:
    """Offer as responsible (owner) only the active users with a membership in the subtree of
    one of `units`, and whoever is responsible now (someone who has left the unit since does
    not block saving the rest). Anyone else is refused under the field, in Swedish.
    """
    User = get_user_model()
    field.queryset = (
        User.objects.filter(
            subtree_q_for(units, "memberships__org_unit__") | Q(pk=current_id or 0),
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    field.empty_label = _("Ingen ansvarig ännu")
    field.label_from_instance = lambda u: u.get_full_name() or u.username
    field.error_messages["invalid_choice"] = _(
        "Välj en ansvarig i listan: bara den som har en roll i enheten eller i en enhet under "
        "den kan vara ansvarig."
    )


def _mapping_label(obj, suggested_ids: set[int], areas_by_id: dict[int, list[str]]) -> str:
    areas = areas_by_id.get(obj.pk, [])
    suffix = f" (Bilaga 1: {', '.join(areas)})" if areas else ""
    return f"{obj.number}. {obj.text}{suffix}"


class DirectionGoalForm(VersionedForm):
    valid_from = YearField(label=_("Gäller från år"))
    valid_to = YearField(label=_("Gäller till år"))

    class Meta:
        model = DirectionGoal
        fields = [
            "strategic_area",
            "code",
            "title",
            "description",
            "overarching_goals",
            "strategies",
            "valid_from",
            "valid_to",
        ]
        labels = {
            "strategic_area": _("Strategiområde"),
            "code": _("Kod"),
            "title": _("Inriktningsmål"),
            "description": _("Beskrivning"),
            "overarching_goals": _("Övergripande mål som målet tjänar"),
            "strategies": _("Kommunövergripande strategier som målet tjänar"),
        }
        help_texts = {
            "code": _("Kort kod för import och rapporter, t.ex. UN-HK-1."),
            "overarching_goals": _(
                "Mål som Bilaga 1 kopplar till det valda strategiområdet är markerade "
                "med områdets namn och föreslås när du väljer område."
            ),
            "strategies": _("Strategier som Bilaga 1 kopplar till området är markerade."),
        }
        field_classes = {
            "overarching_goals": SafeModelMultipleChoiceField,
            "strategies": SafeModelMultipleChoiceField,
        }
        widgets = {
            "overarching_goals": forms.CheckboxSelectMultiple,
            "strategies": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "title": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, committee: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        self.instance.committee = committee
        areas = list(StrategicArea.objects.prefetch_related("overarching_goals", "strategies"))
        self.fields["strategic_area"].queryset = StrategicArea.objects.order_by("number")
        self.fields["strategic_area"].empty_label = _("Välj strategiområde")
        goal_areas: dict[int, list[str]] = {}
        strategy_areas: dict[int, list[str]] = {}
        for area in areas:
            for g in area.overarching_goals.all():
                goal_areas.setdefault(g.pk, []).append(area.name)
            for s in area.strategies.all():
                strategy_areas.setdefault(s.pk, []).append(area.name)
        self.area_suggestions = {
            area.pk: (
                [g.pk for g in area.overarching_goals.all()],
                [s.pk for s in area.strategies.all()],
            )
            for area in areas
        }
        goals_field = self.fields["overarching_goals"]
        goals_field.queryset = OverarchingGoal.objects.order_by("number")
        goals_field.label_from_instance = lambda o: _mapping_label(o, set(), goal_areas)
        strategies_field = self.fields["strategies"]
        strategies_field.queryset = Strategy.objects.order_by("number")
        strategies_field.label_from_instance = lambda o: _mapping_label(o, set(), strategy_areas)

    def suggest_for_area(self, area_pk: int) -> None:
        """Tick what Bilaga 1 maps to the area (used for a new goal under a chosen area)."""
        goals, strategies = self.area_suggestions.get(area_pk, ([], []))
        self.initial.update(
            {"strategic_area": area_pk, "overarching_goals": goals, "strategies": strategies}
        )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if self.instance.pk and start and end:
            field, reason = self.instance.stranded_by(start, end)
            if reason:
                self.add_error(field, reason)
        return cleaned


class IndicatorForm(VersionedForm):
    baseline_year = YearField(label=_("Basår"), required=False)
    baseline_value = SwedishDecimalField(
        label=_("Basvärde"), required=False, max_digits=14, decimal_places=2
    )
    higher_is_better = direction_field()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit_of_measure",
            "higher_is_better",
            "baseline_year",
            "baseline_value",
            "kolada_kpi",
            "source",
            "owner",
        ]
        labels = {
            "code": _("Kod"),
            "name": _("Namn"),
            "unit_of_measure": _("Enhet"),
            "kolada_kpi": _("Kolada-id (valfritt)"),
            "source": _("Källa"),
            "owner": _("Ansvarig"),
        }
        help_texts = {
            "code": _("Unik kod för import och rapporter, t.ex. UN-HK-1-A."),
            "unit_of_measure": _("Till exempel %, antal, kr eller tkr."),
            "kolada_kpi": _("En versal bokstav och fem siffror, t.ex. N00945 eller U30446."),
            "owner": _("Den som följer upp indikatorn. En indikator utan ansvarig flaggas."),
        }
        widgets = {"name": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, goal: DirectionGoal, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        self.instance.direction_goal = goal
        if not self.is_bound:
            self.initial["higher_is_better"] = (
                "1" if (self.instance.higher_is_better if self.instance.pk else True) else "0"
            )
        limit_responsible(self.fields["owner"], [goal.committee], current_id=self.instance.owner_id)

    def clean_kolada_kpi(self):
        return self.cleaned_data["kolada_kpi"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("baseline_value") is not None and not cleaned.get("baseline_year"):
            self.add_error("baseline_year", _("Ange vilket år basvärdet gäller."))
        return cleaned


class TargetForm(AccessibleFormMixin, forms.ModelForm):
    year = YearField(label=_("År"))
    value = SwedishDecimalField(label=_("Målvärde"), max_digits=14, decimal_places=2)

    class Meta:
        model = Target
        fields = ["year", "value"]


class BaseTargetFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, goal: DirectionGoal, **kwargs):
        self.goal = goal
        super().__init__(*args, **kwargs)
        if self.initial_extra is not None:
            self.extra = len(self.initial_extra)  # one empty row per year offered

    def clean(self):
        super().clean()
        # Years as they will be after the save: targets not in any row keep theirs.
        in_rows = {f.instance.pk for f in self.initial_forms if f.instance.pk}
        seen: set[int] = set()
        if self.instance.pk:
            seen = set(self.instance.targets.exclude(pk__in=in_rows).values_list("year", flat=True))
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            year = form.cleaned_data.get("year")
            if year is None:
                continue
            if not self.goal.covers_year(year):
                form.add_error(
                    "year",
                    _("Året %(year)s ligger utanför inriktningsmålets år %(start)s–%(end)s.")
                    % {"year": year, "start": self.goal.valid_from, "end": self.goal.valid_to},
                )
            elif year in seen:
                form.add_error(
                    "year", _("Det finns redan ett målvärde för %(year)s.") % {"year": year}
                )
            seen.add(year)
        for form in self.forms:
            form._describe()  # errors added here must be tied to their fields too


TargetFormSet = forms.inlineformset_factory(
    Indicator,
    Target,
    form=TargetForm,
    formset=BaseTargetFormSet,
    extra=2,
    can_delete=True,
)


class OperationalPlanForm(VersionedForm):
    class Meta:
        model = OperationalPlan
        fields = ["basic_mission"]
        labels = {"basic_mission": _("Grunduppdrag")}
        help_texts = {
            "basic_mission": _("Vad enheten alltid ska leverera, oavsett årets prioriteringar.")
        }
        widgets = {"basic_mission": forms.Textarea(attrs={"rows": 6})}


class ActivityForm(VersionedForm):
    class Meta:
        model = Activity
        fields = [
            "direction_goal",
            "title",
            "description",
            "responsible",
            "starts_on",
            "ends_on",
            "status",
        ]
        labels = {
            "direction_goal": _("Inriktningsmål som aktiviteten tjänar"),
            "title": _("Aktivitet"),
            "description": _("Beskrivning"),
            "responsible": _("Ansvarig"),
            "starts_on": _("Startdatum"),
            "ends_on": _("Slutdatum"),
            "status": _("Status"),
        }
        help_texts = {
            "direction_goal": _("Bara den egna nämndens mål för verksamhetsåret kan väljas."),
            "starts_on": _("Skriv som ÅÅÅÅ-MM-DD, t.ex. 2026-04-30."),
            "ends_on": _("Skriv som ÅÅÅÅ-MM-DD."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, plan: OperationalPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan
        committee = plan.org_unit.committee
        year = plan.plan_year.year
        goals = DirectionGoal.objects.filter(
            committee=committee, valid_from__lte=year, valid_to__gte=year, archived=False
        )
        if self.instance.pk:
            goals = DirectionGoal.objects.filter(
                Q(pk__in=goals) | Q(pk=self.instance.direction_goal_id)
            )
        field = self.fields["direction_goal"]
        field.queryset = goals.select_related("strategic_area").order_by(
            "strategic_area__number", "code"
        )
        field.empty_label = _("Välj inriktningsmål")
        field.label_from_instance = lambda g: f"{g.code} {g.title} ({g.strategic_area.name})"
        for name in ("starts_on", "ends_on"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%Y%m%d", "%d/%m/%Y"]
            self.fields[name].error_messages["invalid"] = _(
                "Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-04-30."
            )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and starts > ends:
            self.add_error("ends_on", _("Slutdatum kan inte ligga före startdatum."))
        return cleaned


# --- follow-up -----------------------------------------------------------------------------


def _assessment_choices(empty: str):
    from .models import Assessment

    return [("", empty), *Assessment.choices]


def _tkr_field(label):
    return SwedishDecimalField(label=label, required=False, max_digits=14, decimal_places=1)


class SubmissionForm(VersionedForm):
    budget_frame_tkr = SwedishDecimalField(
        label=_("Budgetram (tkr)"), required=False, max_digits=14, decimal_places=1
    )
    outcome_tkr = SwedishDecimalField(
        label=_("Utfall hittills i år (tkr)"), required=False, max_digits=14, decimal_places=1
    )
    forecast_tkr = SwedishDecimalField(
        label=_("Prognos för helåret (tkr)"), required=False, max_digits=14, decimal_places=1
    )
    revenue_budget_tkr = _tkr_field(_("Intäkter, budget (tkr)"))
    revenue_outcome_tkr = _tkr_field(_("Intäkter, utfall hittills i år (tkr)"))
    revenue_forecast_tkr = _tkr_field(_("Intäkter, prognos för helåret (tkr)"))
    cost_budget_tkr = _tkr_field(_("Kostnader, budget (tkr)"))
    cost_outcome_tkr = _tkr_field(_("Kostnader, utfall hittills i år (tkr)"))
    cost_forecast_tkr = _tkr_field(_("Kostnader, prognos för helåret (tkr)"))
    investment_budget_tkr = _tkr_field(_("Investeringar, budget (tkr)"))
    investment_outcome_tkr = _tkr_field(_("Investeringar, utfall hittills i år (tkr)"))
    investment_forecast_tkr = _tkr_field(_("Investeringar, prognos för helåret (tkr)"))

    class Meta:
        model = Submission
        fields = ["analysis", *ECONOMY_FIELDS, *TEXT_FIELDS]
        labels = {
            "analysis": _("Analys"),
            "important_events": _("Viktiga händelser"),
            "action_plan": _("Åtgärdsplan"),
        }
        help_texts = {
            "analysis": _(
                "Vad resultaten visar, varför, och vad som behöver göras. Analysen i "
                "verksamhetsberättelsen ligger till grund för nästa års prioriteringar."
            )
        }
        widgets = {
            "analysis": forms.Textarea(attrs={"rows": 8}),
            "important_events": forms.Textarea(attrs={"rows": 6}),
            "action_plan": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, committee: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["important_events"].help_text = _(
            "Det viktigaste som hänt under perioden, skrivet som löpande text. Genomförda "
            "aktiviteter listas i rapporten för sig."
        )
        if not committee:
            for name in (*ECONOMY_FIELDS, "action_plan"):
                del self.fields[name]


class MeasurementEntryForm(AccessibleFormMixin, forms.Form):
    value = SwedishDecimalField(label=_("Utfall"), required=False, max_digits=14, decimal_places=2)
    comment = long_text_field(label=_("Kommentar"), required=False)
    forecast = SwedishDecimalField(
        label=_("Prognos helår"), required=False, max_digits=14, decimal_places=2
    )

    def __init__(self, *args, keeps_value: bool = False, mid_year: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.keeps_value = keeps_value  # an imported value stays when the field is left empty
        if not mid_year:
            del self.fields["forecast"]  # a year-end outcome is final: no forecast
        self._describe()

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("value") is None
            and cleaned.get("comment", "").strip()
            and not self.keeps_value
            and "value" not in self.errors
        ):
            self.add_error(
                "value", _("Skriv utfallet som kommentaren gäller, eller ta bort kommentaren.")
            )
        if (
            cleaned.get("forecast") is not None
            and cleaned.get("value") is None
            and not self.keeps_value
            and "value" not in self.errors
        ):
            self.add_error("forecast", _("Prognosen sparas med utfallet: skriv utfallet först."))
        return cleaned


class AssessmentForm(AccessibleFormMixin, forms.Form):
    level = forms.ChoiceField(label=_("Bedömning"), required=False)
    justification = long_text_field(
        label=_("Motivering om bedömningen avviker från förslaget"), required=False
    )
    forecast_level = forms.ChoiceField(label=_("Prognos för helåret"), required=False)
    comment = long_text_field(label=_("Kommentar till bedömningen"), required=False, rows=3)

    def __init__(self, *args, mid_year: bool, suggested: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.suggested = suggested
        self.fields["level"].choices = _assessment_choices(_("Välj bedömning"))
        if mid_year:
            self.fields["forecast_level"].choices = _assessment_choices(_("Välj prognos"))
        else:
            del self.fields["forecast_level"]
        self._describe()

    def clean(self):
        from .models import Assessment

        cleaned = super().clean()
        level = cleaned.get("level")
        if (
            level
            and self.suggested
            and level != self.suggested
            and not cleaned.get("justification", "").strip()
        ):
            self.add_error(
                "justification",
                _("Motivera varför bedömningen avviker från den föreslagna (%(s)s).")
                % {"s": Assessment(self.suggested).label},
            )
        return cleaned


class ActivityFollowUpForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    comment = long_text_field(label=_("Kommentar"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Välj status")), *Activity.Status.choices]
        self._describe()


class PriorityForm(AccessibleFormMixin, forms.Form):
    direction_goal = forms.TypedChoiceField(label=_("Inriktningsmål"), required=False, coerce=int)
    text = forms.CharField(label=_("Prioritering"), required=False, max_length=300)

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction_goal"].choices = [("", _("Välj mål"))] + [
            (g.pk, f"{g.code} {g.title}") for g in goals
        ]
        self._describe()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("text", "").strip() and not cleaned.get("direction_goal"):
            self.add_error("direction_goal", _("Välj vilket mål prioriteringen gäller."))
        return cleaned


PriorityFormSet = forms.formset_factory(PriorityForm, extra=3, max_num=30)
