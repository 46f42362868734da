"""Risks and controls in and out as Excel/CSV, in the format and under the rules of
goals.resources: natural keys (committee code, year, risk title, control text), a preview
before anything is written, and rows only within what the importer may change, as stored
and as the file would leave them. Registered as import kinds in apps.py.
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from import_export import fields

from goals.import_widgets import ChoiceWidget, CodeWidget
from goals.models import DirectionGoal, OrgUnit, PlanYear, ReportingOccasion, StrategicArea
from goals.resources import ScopedResource

from .models import Consequence, Control, ControlPlan, Probability, Risk

COMMITTEES = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE)


class _ScaleWidget(ChoiceWidget):
    """1–4, written as the number (the label "3 – Möjlig" is accepted too)."""

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip().removesuffix(".0")
        if text.isdigit() and int(text) in self.values:
            return int(text)
        return super().clean(value, row, **kwargs)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class RiskResource(ScopedResource):
    title = "Risker"
    scope_prefix = "committee__"
    committee = fields.Field(
        attribute="committee",
        column_name="nämnd",
        widget=CodeWidget(OrgUnit, "code", "nämnd", queryset=COMMITTEES),
    )
    plan_year = fields.Field(
        attribute="plan_year", column_name="år", widget=CodeWidget(PlanYear, "year", "år")
    )
    title_ = fields.Field(attribute="title", column_name="risk")
    description = fields.Field(attribute="description", column_name="beskrivning")
    area = fields.Field(attribute="area", column_name="process eller område")
    direction_goal = fields.Field(
        attribute="direction_goal",
        column_name="inriktningsmål",
        widget=CodeWidget(DirectionGoal, "code", "inriktningsmål"),
    )
    strategic_area = fields.Field(
        attribute="strategic_area",
        column_name="strategiområde",
        widget=CodeWidget(StrategicArea, "number", "strategiområde (nummer)"),
    )
    owner = fields.Field(attribute="owner", column_name="riskägare")
    probability = fields.Field(
        attribute="probability",
        column_name="sannolikhet",
        widget=_ScaleWidget(Probability.choices, "sannolikhet (1–4)"),
    )
    consequence = fields.Field(
        attribute="consequence",
        column_name="konsekvens",
        widget=_ScaleWidget(Consequence.choices, "konsekvens (1–4)"),
    )
    reasoning = fields.Field(attribute="reasoning", column_name="motivering")
    decision = fields.Field(
        attribute="decision",
        column_name="beslut",
        widget=ChoiceWidget(Risk.Decision.choices, "beslut"),
    )
    handled_how = fields.Field(attribute="handled_how", column_name="hur risken hanteras")

    class Meta:
        model = Risk
        import_id_fields = ["committee", "plan_year", "title_"]
        fields = [
            "committee",
            "plan_year",
            "title_",
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
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False  # validate_instance runs full_clean itself

    def get_export_queryset(self, request=None):
        return Risk.objects.select_related(
            "committee", "plan_year", "direction_goal", "strategic_area"
        ).order_by("plan_year__year", "committee__code", "title")

    def unit_of_row(self, instance):
        return instance.committee if instance.committee_id else None

    def row_name(self, instance):
        return f"Risken ”{instance.title}”"

    def clean_exclude(self, instance):
        return {"carried_from"}


class ControlResource(ScopedResource):
    """A control is named by its committee, year and text; its plan is the committee's for
    the year (made with the first control), and an adopted plan takes no changes."""

    title = "Kontrollmoment"
    scope_prefix = "plan__committee__"
    committee = fields.Field(column_name="nämnd")
    year = fields.Field(column_name="år")
    risk = fields.Field(column_name="risk")
    what = fields.Field(attribute="what", column_name="kontrollmoment")
    method = fields.Field(attribute="method", column_name="metod")
    scope = fields.Field(attribute="scope", column_name="omfattning")
    frequency = fields.Field(
        attribute="frequency",
        column_name="frekvens",
        widget=ChoiceWidget(Control.Frequency.choices, "frekvens"),
    )
    responsible = fields.Field(attribute="responsible", column_name="ansvarig")
    occasion = fields.Field(column_name="rapporteras vid")

    class Meta:
        model = Control
        import_id_fields = ["committee", "year", "what"]
        fields = [
            "committee",
            "year",
            "risk",
            "what",
            "method",
            "scope",
            "frequency",
            "responsible",
            "occasion",
        ]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False

    def key_columns(self):
        return ["nämnd", "år", "kontrollmoment"]

    def dehydrate_committee(self, control):
        return control.plan.committee.code

    def dehydrate_year(self, control):
        return control.plan.plan_year.year

    def dehydrate_risk(self, control):
        return control.risk.title

    def dehydrate_occasion(self, control):
        return control.occasion.name

    def get_export_queryset(self, request=None):
        return Control.objects.select_related(
            "plan__committee", "plan__plan_year", "risk", "occasion"
        ).order_by("plan__plan_year__year", "plan__committee__code", "what")

    @staticmethod
    def _key(row) -> tuple[str, int]:
        year = str(row.get("år") or "").strip().removesuffix(".0")
        return str(row.get("nämnd") or "").strip(), int(year) if year.isdigit() else -1

    def get_instance(self, instance_loader, row):
        code, year = self._key(row)
        return (
            Control.objects.filter(
                plan__committee__code=code,
                plan__plan_year__year=year,
                what=str(row.get("kontrollmoment") or "").strip(),
            )
            .select_related("plan__committee", "plan__plan_year")
            .first()
        )

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        code, year = self._key(row)
        errors = {}
        committee = COMMITTEES.filter(code=code).first()
        plan_year = PlanYear.objects.filter(year=year).first()
        if committee is None:
            errors["nämnd"] = f"Okänd nämnd: {code}"
        if plan_year is None:
            errors["år"] = f"Okänt år: {row.get('år')}"
        if errors:
            raise ValueError("; ".join(errors.values()))
        if instance.pk is None:
            instance.plan = ControlPlan.objects.filter(
                committee=committee, plan_year=plan_year
            ).first() or ControlPlan(committee=committee, plan_year=plan_year)
        title = str(row.get("risk") or "").strip()
        risk = Risk.objects.filter(committee=committee, plan_year=plan_year, title=title).first()
        if risk is None:
            raise ValueError(f"Okänd risk för {code} {year}: ”{title}”")
        instance.risk = risk
        name = str(row.get("rapporteras vid") or "").strip()
        occasion = ReportingOccasion.objects.filter(plan_year=plan_year, name=name).first()
        if occasion is None:
            raise ValueError(f"Okänt rapporteringstillfälle {year}: ”{name}”")
        instance.occasion = occasion

    def unit_of_row(self, instance):
        return instance.plan.committee

    def row_name(self, instance):
        return f"Kontrollmomentet ”{instance.what}”"

    def clean_exclude(self, instance):
        try:
            return {"plan"} if instance.plan.pk is None else set()
        except ObjectDoesNotExist:
            return set()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            if instance.plan.is_adopted:
                errors.setdefault("__all__", []).append(
                    "Internkontrollplanen är antagen och låst; kontrollmomenten kan inte ändras."
                )
        except ObjectDoesNotExist:
            pass
        try:
            super().validate_instance(instance, None, validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.plan.pk is None:
            plan = instance.plan
            if self.user is not None:
                plan._history_user = self.user
            plan.save()
            instance.plan = plan


RESOURCES = {"risker": RiskResource, "kontrollmoment": ControlResource}
