"""Forms of intern kontroll: Swedish labels and errors, versioned (409 on a stale save)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AccessibleFormMixin, VersionedForm, long_text_field
from goals.models import DirectionGoal, StrategicArea
from quality.models import Deviation

from .models import Control, ControlResult, Risk
from .selectors import follow_up_occasions

DATE_ERROR = _("Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-04-30.")


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": _("Välj ett av nämndens inriktningsmål i listan.")}

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"


class RiskForm(VersionedForm):
    direction_goal = GoalField(
        label=_("Inriktningsmål"),
        queryset=DirectionGoal.objects.none(),
        required=False,
        empty_label=_("Inget särskilt mål"),
    )

    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "area",
            "direction_goal",
            "strategic_area",
            "owner",
            "probability",
            "consequence",
            "reasoning",
            "decision",
            "handled_how",
        ]
        labels = {
            "title": _("Risk"),
            "description": _("Beskrivning"),
            "area": _("Process eller område"),
            "strategic_area": _("Strategiområde"),
            "owner": _("Riskägare"),
            "probability": _("Sannolikhet (1–4)"),
            "consequence": _("Konsekvens (1–4)"),
            "reasoning": _("Motivering av bedömningen"),
            "decision": _("Beslut"),
            "handled_how": _("Hur risken hanteras"),
        }
        help_texts = {
            "area": _("Till exempel upphandling, löner eller myndighetsutövning."),
            "owner": _("Den funktion som äger risken, till exempel förvaltningschef."),
            "handled_how": _("Krävs när risken hanteras på annat sätt än i planen."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "reasoning": forms.Textarea(attrs={"rows": 3}),
            "handled_how": forms.Textarea(attrs={"rows": 2}),
            "probability": forms.RadioSelect,
            "consequence": forms.RadioSelect,
            "decision": forms.RadioSelect,
        }
        error_messages = {
            "title": {"required": _("Skriv vad risken är.")},
            "probability": {"required": _("Välj hur sannolik risken är (1–4).")},
            "consequence": {"required": _("Välj hur allvarlig konsekvensen är (1–4).")},
        }

    def __init__(self, *args, committee, plan_year, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.committee = committee
        self.instance.plan_year = plan_year
        self.fields["direction_goal"].queryset = DirectionGoal.objects.filter(
            committee=committee,
            archived=False,
            valid_from__lte=plan_year.year,
            valid_to__gte=plan_year.year,
        ).order_by("code")
        area = self.fields["strategic_area"]
        area.queryset = StrategicArea.objects.order_by("number")
        area.empty_label = _("Inget särskilt strategiområde")
        for name in ("probability", "consequence", "decision"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]

    def clean(self):
        # The committee and year are not fields of the form, so the model's unique title per
        # committee and year is checked here, under the field, instead of failing on save.
        data = super().clean()
        title = data.get("title")
        taken = (
            Risk.objects.filter(
                committee=self.instance.committee, plan_year=self.instance.plan_year, title=title
            )
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if title and taken:
            self.add_error("title", _("Nämnden har redan en risk med den rubriken det året."))
        return data


class ControlForm(VersionedForm):
    class Meta:
        model = Control
        fields = ["risk", "what", "method", "scope", "frequency", "responsible", "occasion"]
        labels = {
            "risk": _("Risk"),
            "what": _("Vad som kontrolleras"),
            "method": _("Metod"),
            "scope": _("Omfattning eller stickprov"),
            "frequency": _("Hur ofta"),
            "responsible": _("Ansvarig"),
            "occasion": _("Rapporteras vid"),
        }
        help_texts = {
            "risk": _("Bara risker som nämnden beslutat ska till internkontrollplanen."),
            "scope": _("Till exempel ”20 slumpvis valda fakturor per tertial”."),
            "occasion": _("Det rapporteringstillfälle där resultatet redovisas första gången."),
        }
        widgets = {
            "what": forms.Textarea(attrs={"rows": 2}),
            "method": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "risk": {
                "required": _("Välj vilken risk kontrollen gäller."),
                "invalid_choice": _("Välj en av planens risker i listan."),
            },
            "what": {"required": _("Skriv vad som kontrolleras.")},
            "occasion": {
                "required": _("Välj vid vilket tillfälle kontrollen rapporteras."),
                "invalid_choice": _("Välj ett av årets uppföljningstillfällen i listan."),
            },
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["risk"].queryset = Risk.objects.filter(
            committee=plan.committee_id,
            plan_year=plan.plan_year_id,
            decision=Risk.Decision.CONTROL_PLAN,
        ).order_by("title")
        self.fields["risk"].empty_label = _("Välj risk")
        occasions = [o.pk for o in follow_up_occasions(plan.plan_year)]
        self.fields["occasion"].queryset = (
            self.fields["occasion"].queryset.filter(pk__in=occasions).order_by("period_end")
        )
        self.fields["occasion"].empty_label = _("Välj tillfälle")
        self.fields["occasion"].label_from_instance = lambda o: f"{o.name} ({o.period_end})"


class AdoptForm(AccessibleFormMixin, forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    adopted_by = forms.CharField(
        label=_("Beslutande organ"),
        max_length=200,
        error_messages={"required": _("Skriv vilket organ som antog planen.")},
    )
    adopted_on = forms.DateField(
        label=_("Beslutsdatum"),
        widget=_date_widget(),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": _("Skriv beslutsdatumet."), "invalid": DATE_ERROR},
    )
    paragraph = forms.CharField(label=_("Paragraf (§)"), max_length=40, required=False)
    reference = forms.CharField(label=_("Diarienummer (Dnr)"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe()


class ControlResultForm(VersionedForm):
    deviation_title = forms.CharField(
        label=_("Avvikelse"),
        max_length=200,
        required=False,
        help_text=_(
            "Fyll i om kontrollen hittade en avvikelse: den registreras i "
            "kvalitetsledningssystemet och kan lyftas in i verksamhetsplanen."
        ),
    )
    deviation_description = long_text_field(
        label=_("Beskrivning av avvikelsen"), required=False, rows=3
    )
    deviation_severity = forms.ChoiceField(
        label=_("Allvarlighetsgrad"),
        choices=Deviation.Severity.choices,
        initial=Deviation.Severity.MEDIUM,
        required=False,
    )

    class Meta:
        model = ControlResult
        fields = ["status", "findings", "assessment", "action", "action_owner", "action_due"]
        labels = {
            "status": _("Genomförd"),
            "findings": _("Vad kontrollen visade"),
            "assessment": _("Bedömning"),
            "action": _("Åtgärd"),
            "action_owner": _("Ansvarig för åtgärden"),
            "action_due": _("Åtgärdas senast"),
        }
        help_texts = {
            "assessment": _("Samma skala och symboler som för målen."),
            "action_due": _("Skriv som ÅÅÅÅ-MM-DD, t.ex. 2026-09-30."),
        }
        widgets = {
            "status": forms.RadioSelect,
            "assessment": forms.RadioSelect,
            "findings": forms.Textarea(attrs={"rows": 4}),
            "action": forms.Textarea(attrs={"rows": 2}),
            "action_due": _date_widget(),
        }
        error_messages = {"action_due": {"invalid": DATE_ERROR}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("status", "assessment"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        if self.instance.deviation_id:
            for name in ("deviation_title", "deviation_description", "deviation_severity"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("deviation_description") and not data.get("deviation_title"):
            self.add_error("deviation_title", _("Ge avvikelsen en rubrik."))
        return data

    def deviation_data(self) -> dict | None:
        title = self.cleaned_data.get("deviation_title")
        if not title:
            return None
        return {
            "title": title,
            "description": self.cleaned_data.get("deviation_description", ""),
            "severity": self.cleaned_data.get("deviation_severity"),
            "occurred_on": self.instance.occasion.period_end,
        }
