"""Intern kontroll: each committee's risk analysis, its internkontrollplan and the results.

A Risk is assessed per committee and year (probability × consequence = risk value) and
decided on; the risks taken to the plan get controls (kontrollmoment) in the committee's
ControlPlan, which is locked once adopted; each control reports a ControlResult at its
reporting occasion, as part of the committee's follow-up (locked when that is published).
A deviation found by a control is a quality.Deviation, so it can be lifted into a plan.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from goals.models import (
    Assessment,
    DirectionGoal,
    LockedWithSubmission,
    OrgUnit,
    PlanYear,
    ReportingOccasion,
    StrategicArea,
    Submission,
    text_limit,
)
from quality.models import Deviation

VERSION_HELP = _("Räknas upp vid varje sparning.")
SCALE = [1, 2, 3, 4]
SCALE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]


class Probability(models.IntegerChoices):
    UNLIKELY = 1, _("1 – Osannolik")
    LESS_LIKELY = 2, _("2 – Mindre sannolik")
    POSSIBLE = 3, _("3 – Möjlig")
    LIKELY = 4, _("4 – Sannolik")


class Consequence(models.IntegerChoices):
    MINOR = 1, _("1 – Försumbar")
    TOLERABLE = 2, _("2 – Lindrig")
    SERIOUS = 3, _("3 – Kännbar")
    SEVERE = 4, _("4 – Allvarlig")


def risk_level(value: int) -> str:
    """The band of a risk value (1–16): low, medium, high, very high."""
    if value >= 12:
        return "very_high"
    if value >= 8:
        return "high"
    if value >= 4:
        return "medium"
    return "low"


RISK_LEVEL_LABELS = {
    "low": _("Låg"),
    "medium": _("Måttlig"),
    "high": _("Hög"),
    "very_high": _("Mycket hög"),
}
# Symbols so the band never rests on colour alone (UI.md).
RISK_LEVEL_SYMBOLS = {"low": "▁", "medium": "▃", "high": "▅", "very_high": "▇"}


class Risk(models.Model):
    """One risk in a committee's risk analysis for one year."""

    class Decision(models.TextChoices):
        CONTROL_PLAN = "control_plan", _("Till internkontrollplanen")
        HANDLED_OTHERWISE = "handled_otherwise", _("Hanteras på annat sätt")
        ACCEPTED = "accepted", _("Accepteras")

    committee = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="risks",
        limit_choices_to={"kind": OrgUnit.Kind.COMMITTEE},
        verbose_name=_("nämnd"),
    )
    plan_year = models.ForeignKey(
        PlanYear, on_delete=models.PROTECT, related_name="risks", verbose_name=_("år")
    )
    title = models.CharField(_("risk"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True, validators=text_limit())
    area = models.CharField(_("process eller område"), max_length=200, blank=True)
    direction_goal = models.ForeignKey(
        DirectionGoal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risks",
        verbose_name=_("inriktningsmål"),
    )
    strategic_area = models.ForeignKey(
        StrategicArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risks",
        verbose_name=_("strategiområde"),
    )
    owner = models.CharField(_("riskägare"), max_length=200, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("sannolikhet"), choices=Probability.choices, validators=SCALE_VALIDATORS
    )
    consequence = models.PositiveSmallIntegerField(
        _("konsekvens"), choices=Consequence.choices, validators=SCALE_VALIDATORS
    )
    reasoning = models.TextField(_("motivering"), blank=True, validators=text_limit())
    decision = models.CharField(
        _("beslut"), max_length=20, choices=Decision.choices, default=Decision.CONTROL_PLAN
    )
    handled_how = models.TextField(_("hur risken hanteras"), blank=True, validators=text_limit())
    carried_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("överförd från"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=VERSION_HELP
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee__name", "plan_year__year", "title"]
        verbose_name = _("risk")
        verbose_name_plural = _("risker")
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=4),
                name="risk_probability_1_4",
            ),
            models.CheckConstraint(
                condition=Q(consequence__gte=1, consequence__lte=4),
                name="risk_consequence_1_4",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["control_plan", "handled_otherwise", "accepted"]),
                name="risk_decision_valid",
            ),
            models.UniqueConstraint(
                fields=["committee", "plan_year", "title"],
                name="risk_unique_title_per_committee_year",
                violation_error_message=_("Nämnden har redan en risk med den rubriken det året."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("ic_risk_detail", args=[self.pk])

    @property
    def risk_value(self) -> int:
        return (self.probability or 0) * (self.consequence or 0)

    @property
    def level(self) -> str:
        return risk_level(self.risk_value)

    @property
    def level_label(self) -> str:
        return str(RISK_LEVEL_LABELS[self.level])

    @property
    def level_symbol(self) -> str:
        return RISK_LEVEL_SYMBOLS[self.level]

    def clean(self):
        errors = {}
        if (
            self.decision == self.Decision.HANDLED_OTHERWISE
            and not (self.handled_how or "").strip()
        ):
            errors["handled_how"] = _("Skriv hur risken hanteras när den inte går till planen.")
        if (
            self.direction_goal_id
            and self.committee_id
            and self.direction_goal.committee_id != self.committee_id
        ):
            errors["direction_goal"] = _("Välj ett av nämndens egna inriktningsmål.")
        if self.committee_id and self.committee.kind != OrgUnit.Kind.COMMITTEE:
            errors["committee"] = _("Riskanalysen görs per nämnd.")
        if errors:
            raise ValidationError(errors)


class ControlPlan(models.Model):
    """A committee's internkontrollplan for one year; locked once adopted."""

    committee = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="control_plans",
        limit_choices_to={"kind": OrgUnit.Kind.COMMITTEE},
        verbose_name=_("nämnd"),
    )
    plan_year = models.ForeignKey(
        PlanYear, on_delete=models.PROTECT, related_name="control_plans", verbose_name=_("år")
    )
    adopted_by = models.CharField(
        _("beslutande organ"), max_length=200, blank=True, help_text=_("Till exempel nämnden.")
    )
    adopted_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    paragraph = models.CharField(_("paragraf (§)"), max_length=40, blank=True)
    reference = models.CharField(_("diarienummer (Dnr)"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerat av"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=VERSION_HELP
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee__name", "plan_year__year"]
        verbose_name = _("internkontrollplan")
        verbose_name_plural = _("internkontrollplaner")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "plan_year"],
                name="controlplan_one_per_committee_year",
                violation_error_message=_("Nämnden har redan en internkontrollplan det året."),
            ),
        ]

    def __str__(self):
        return f"Internkontrollplan {self.plan_year.year} – {self.committee.name}"

    def get_absolute_url(self):
        return reverse("ic_plan", args=[self.committee.code, self.plan_year.year])

    @property
    def is_adopted(self) -> bool:
        return self.adopted_on is not None


class Control(models.Model):
    """A kontrollmoment: how one risk of the plan is checked, and when it reports."""

    class Frequency(models.TextChoices):
        ONCE = "once", _("En gång per år")
        TERTIAL = "tertial", _("Tertialvis")
        HALF_YEARLY = "half_yearly", _("Halvårsvis")
        QUARTERLY = "quarterly", _("Kvartalsvis")
        MONTHLY = "monthly", _("Månadsvis")
        CONTINUOUS = "continuous", _("Löpande")

    plan = models.ForeignKey(
        ControlPlan,
        on_delete=models.PROTECT,
        related_name="controls",
        verbose_name=_("internkontrollplan"),
    )
    risk = models.ForeignKey(
        Risk, on_delete=models.PROTECT, related_name="controls", verbose_name=_("risk")
    )
    what = models.CharField(_("vad som kontrolleras"), max_length=300)
    method = models.TextField(_("metod"), blank=True, validators=text_limit())
    scope = models.CharField(_("omfattning eller stickprov"), max_length=300, blank=True)
    frequency = models.CharField(
        _("frekvens"), max_length=20, choices=Frequency.choices, default=Frequency.ONCE
    )
    responsible = models.CharField(_("ansvarig"), max_length=200, blank=True)
    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="controls",
        verbose_name=_("rapporteras vid"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=VERSION_HELP
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "occasion__period_end", "pk"]
        verbose_name = _("kontrollmoment")
        verbose_name_plural = _("kontrollmoment")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    frequency__in=[
                        "once",
                        "tertial",
                        "half_yearly",
                        "quarterly",
                        "monthly",
                        "continuous",
                    ]
                ),
                name="control_frequency_valid",
            ),
        ]

    def __str__(self):
        return self.what

    def get_absolute_url(self):
        return reverse("ic_control_edit", args=[self.pk])

    def clean(self):
        errors = {}
        if (
            self.plan_id
            and self.risk_id
            and (
                self.risk.committee_id != self.plan.committee_id
                or self.risk.plan_year_id != self.plan.plan_year_id
            )
        ):
            errors["risk"] = _("Välj en av nämndens risker för samma år som planen.")
        if (
            self.plan_id
            and self.occasion_id
            and self.occasion.plan_year_id != self.plan.plan_year_id
        ):
            errors["occasion"] = _("Välj ett rapporteringstillfälle samma år som planen.")
        if errors:
            raise ValidationError(errors)


class ControlResult(LockedWithSubmission):
    """What one control found at one reporting occasion; part of the committee's follow-up."""

    class Status(models.TextChoices):
        DONE = "done", _("Genomförd")
        NOT_DONE = "not_done", _("Ej genomförd")

    control = models.ForeignKey(
        Control, on_delete=models.PROTECT, related_name="results", verbose_name=_("kontrollmoment")
    )
    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="control_results",
        verbose_name=_("rapporteringstillfälle"),
    )
    status = models.CharField(
        _("genomförd"), max_length=20, choices=Status.choices, default=Status.DONE
    )
    findings = models.TextField(_("vad kontrollen visade"), blank=True, validators=text_limit())
    assessment = models.CharField(
        _("bedömning"),
        max_length=20,
        choices=Assessment.choices,
        default=Assessment.NOT_ASSESSED,
    )
    deviation = models.ForeignKey(
        Deviation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="control_results",
        verbose_name=_("avvikelse"),
    )
    action = models.TextField(_("åtgärd"), blank=True, validators=text_limit())
    action_owner = models.CharField(_("ansvarig för åtgärden"), max_length=200, blank=True)
    action_due = models.DateField(_("åtgärdas senast"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=VERSION_HELP
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["occasion__period_end", "control__pk"]
        verbose_name = _("kontrollresultat")
        verbose_name_plural = _("kontrollresultat")
        constraints = [
            models.UniqueConstraint(
                fields=["control", "occasion"],
                name="controlresult_one_per_occasion",
                violation_error_message=_("Kontrollen har redan ett resultat vid tillfället."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["done", "not_done"]),
                name="controlresult_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.control} – {self.occasion}"

    def get_absolute_url(self):
        return reverse("ic_result_edit", args=[self.control_id, self.occasion_id])

    def _locking_submission_ids(self) -> list[int]:
        committee_id = (
            Control.objects.filter(pk=self.control_id)
            .values_list("plan__committee_id", flat=True)
            .first()
        )
        return list(
            Submission.objects.filter(
                occasion_id=self.occasion_id, org_unit_id=committee_id
            ).values_list("pk", flat=True)
        )

    def clean(self):
        errors = {}
        if self.action and not self.action_owner.strip():
            errors["action_owner"] = _("Skriv vem som ansvarar för åtgärden.")
        if self.action and self.action_due is None:
            errors["action_due"] = _("Skriv när åtgärden ska vara klar.")
        if self.status == self.Status.NOT_DONE and not self.findings.strip():
            errors["findings"] = _("Skriv varför kontrollen inte är genomförd.")
        if errors:
            raise ValidationError(errors)
