from django import forms
from django.utils import timezone

from goals.models import ReportingOccasion

from . import access
from .models import GeneratedReport

MUNICIPALITY_CHOICE = "kommun"


class OccasionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} {obj.plan_year.year}"


class GenerateReportForm(forms.Form):
    """Order a report: an occasion and a scope the user may order for."""

    occasion = OccasionChoiceField(
        label="Rapporteringstillfälle",
        queryset=ReportingOccasion.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Välj ett rapporteringstillfälle i listan."},
    )
    scope = forms.ChoiceField(
        label="Rapport",
        error_messages={"invalid_choice": "Välj en rapport som du får skapa."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        occasions = ReportingOccasion.objects.select_related("plan_year").order_by(
            "-plan_year__year", "-period_end"
        )
        self.fields["occasion"].queryset = occasions
        today = timezone.localdate()
        current = next((o for o in occasions if o.opens_on <= today), None)
        if current is not None:
            self.fields["occasion"].initial = current.pk
        self.committees = {str(c.pk): c for c in access.generation_committees(user)}
        choices = []
        if access.may_generate_municipality(user):
            choices.append((MUNICIPALITY_CHOICE, "Kommunens rapport (alla nämnder)"))
        choices += [(pk, f"Nämndens rapport: {c.name}") for pk, c in self.committees.items()]
        self.fields["scope"].choices = choices

    def target(self) -> tuple[str, object]:
        """(kind, org unit) of the chosen report; the municipality report's unit is None."""
        scope = self.cleaned_data["scope"]
        if scope == MUNICIPALITY_CHOICE:
            return GeneratedReport.Kind.MUNICIPALITY, None
        return GeneratedReport.Kind.COMMITTEE, self.committees[scope]
