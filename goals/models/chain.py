"""The steering chain: vision, areas, overarching goals, strategies, direction goals, indicators."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    RegexValidator,
)
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import YEAR_VALIDATORS, kolada_kpi_validator, text_limit
from .organisation import OrgUnit


class Vision(models.Model):
    statement = models.CharField(_("vision"), max_length=300)
    elaboration = models.TextField(_("utveckling av visionen"), blank=True, validators=text_limit())
    adopted_year = models.PositiveSmallIntegerField(
        _("antagen år"), null=True, blank=True, validators=YEAR_VALIDATORS
    )

    class Meta:
        verbose_name = _("vision")
        verbose_name_plural = _("visioner")

    def __str__(self):
        return self.statement

    def get_absolute_url(self):
        return reverse("chain_vision", args=[self.pk])


class OverarchingGoal(models.Model):
    number = models.PositiveSmallIntegerField(_("nummer"), unique=True)
    text = models.TextField(_("text"), validators=text_limit())
    decided_year = models.PositiveSmallIntegerField(
        _("beslutat år"), null=True, blank=True, validators=YEAR_VALIDATORS
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("övergripande mål")
        verbose_name_plural = _("övergripande mål")

    def __str__(self):
        return f"{self.number}. {self.text}"

    def get_absolute_url(self):
        return reverse("chain_overarching_goal", args=[self.pk])


class Strategy(models.Model):
    class Category(models.TextChoices):
        PROMISE_TO_RESIDENTS = "residents", _("Löften till kommunens invånare")
        GUIDING_PRINCIPLE = "principles", _("Grundprinciper för arbetet i kommunen")
        PROMISE_TO_EMPLOYEES = "employees", _("Löfte till medarbetarna")

    number = models.PositiveSmallIntegerField(_("nummer"), unique=True)
    text = models.TextField(_("text"), validators=text_limit())
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)

    class Meta:
        ordering = ["number"]
        verbose_name = _("kommunövergripande strategi")
        verbose_name_plural = _("kommunövergripande strategier")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=["residents", "principles", "employees"]),
                name="strategy_category_valid",
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.text}"

    def get_absolute_url(self):
        return reverse("chain_strategy", args=[self.pk])


class StrategicArea(models.Model):
    vision = models.ForeignKey(
        Vision, on_delete=models.PROTECT, related_name="strategic_areas", verbose_name=_("vision")
    )
    number = models.PositiveSmallIntegerField(_("nummer"), unique=True)
    name = models.CharField(_("namn"), max_length=100, unique=True)
    description = models.TextField(_("beskrivning"), validators=text_limit())
    vision_excerpt = models.TextField(
        _("från visionen"),
        blank=True,
        help_text=_("Den del av visionen som strategiområdet bygger på (Bilaga 1)."),
        validators=text_limit(),
    )
    overarching_goals = models.ManyToManyField(
        OverarchingGoal,
        related_name="strategic_areas",
        blank=True,
        verbose_name=_("övergripande mål"),
    )
    strategies = models.ManyToManyField(
        Strategy, related_name="strategic_areas", blank=True, verbose_name=_("strategier")
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("strategiområde")
        verbose_name_plural = _("strategiområden")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chain_area", args=[self.pk])


class DirectionGoal(models.Model):
    """A committee's inriktningsmål, sorted under one strategic area."""

    committee = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="direction_goals",
        verbose_name=_("nämnd"),
    )
    strategic_area = models.ForeignKey(
        StrategicArea,
        on_delete=models.PROTECT,
        related_name="direction_goals",
        verbose_name=_("strategiområde"),
    )
    overarching_goals = models.ManyToManyField(
        OverarchingGoal,
        related_name="direction_goals",
        blank=True,
        verbose_name=_("övergripande mål"),
    )
    strategies = models.ManyToManyField(
        Strategy, related_name="direction_goals", blank=True, verbose_name=_("strategier")
    )
    code = models.CharField(
        _("kod"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-ZÅÄÖ0-9]+(-[A-ZÅÄÖ0-9]+)*$",
                _("Koden skrivs med versaler och siffror åtskilda av bindestreck, t.ex. UN-HK-1."),
            )
        ],
    )
    title = models.CharField(_("inriktningsmål"), max_length=400)
    description = models.TextField(_("beskrivning"), blank=True, validators=text_limit())
    valid_from = models.PositiveSmallIntegerField(_("gäller från år"), validators=YEAR_VALIDATORS)
    valid_to = models.PositiveSmallIntegerField(_("gäller till år"), validators=YEAR_VALIDATORS)
    archived = models.BooleanField(_("arkiverat"), default=False)
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Räknas upp vid varje sparning.")
    )
    history = HistoricalRecords(m2m_fields=[overarching_goals, strategies])

    class Meta:
        ordering = ["committee__name", "strategic_area__number", "code"]
        verbose_name = _("inriktningsmål")
        verbose_name_plural = _("inriktningsmål")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_to")),
                name="directiongoal_years_ordered",
                violation_error_message=_("Startåret kan inte ligga efter slutåret."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("chain_direction_goal", args=[self.pk])

    def clean(self):
        errors = {}
        if self.committee_id and self.committee.kind != OrgUnit.Kind.COMMITTEE:
            errors["committee"] = _(
                "Ett inriktningsmål hör till en nämnd; %(unit)s är inte en nämnd."
            ) % {"unit": self.committee}
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            errors["valid_to"] = _("Slutåret kan inte ligga före startåret.")
        if errors:
            raise ValidationError(errors)

    def covers_year(self, year: int) -> bool:
        return self.valid_from <= year <= self.valid_to

    def stranded_by(self, start: int, end: int) -> tuple[str, str]:
        """What new years start–end would leave outside the goal: ("", "") when nothing,
        else the field to blame and the Swedish reason (shortening the years must not strand
        the goal's targets or its activities)."""
        if not self.pk:
            return "", ""
        targets = sorted(
            Target.objects.filter(indicator__direction_goal=self)
            .exclude(year__range=(start, end))
            .values_list("year", flat=True)
            .distinct()
        )
        plans = sorted(
            self.activities.exclude(plan__plan_year__year__range=(start, end))
            .values_list("plan__plan_year__year", flat=True)
            .distinct()
        )
        if not targets and not plans:
            return "", ""
        parts = []
        if targets:
            parts.append(_("målvärden för %(y)s") % {"y": ", ".join(map(str, targets))})
        if plans:
            parts.append(_("aktiviteter i planer för %(y)s") % {"y": ", ".join(map(str, plans))})
        field = "valid_from" if (targets + plans)[0] < start else "valid_to"
        return field, _(
            "Målet har %(what)s som skulle hamna utanför %(start)s–%(end)s. "
            "Ändra eller ta bort dem först, eller arkivera målet och gör ett nytt."
        ) % {"what": _(" och ").join(parts), "start": start, "end": end}


class Indicator(models.Model):
    direction_goal = models.ForeignKey(
        DirectionGoal,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("inriktningsmål"),
    )
    code = models.CharField(_("kod"), max_length=40, unique=True)
    name = models.CharField(_("namn"), max_length=400)
    unit_of_measure = models.CharField(_("enhet"), max_length=40, blank=True)
    higher_is_better = models.BooleanField(_("högre värde är bättre"), default=True)
    baseline_year = models.PositiveSmallIntegerField(
        _("basår"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    baseline_value = models.DecimalField(
        _("basvärde"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    kolada_kpi = models.CharField(
        _("Kolada-id"), max_length=6, blank=True, validators=[kolada_kpi_validator]
    )
    source = models.CharField(_("källa"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_indicators",
        verbose_name=_("ansvarig"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Räknas upp vid varje sparning.")
    )
    # Set by quality.services when the indicator becomes a quality control: occasions whose
    # period ends on or after this day no longer show it (see goals.selectors.in_steering_q).
    # Editable only so that the history table shows the move; no form offers it.
    moved_to_quality_on = models.DateField(
        _("flyttad till kvalitetsledningssystemet"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["direction_goal__code", "code"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True) | Q(baseline_value__isnull=False),
                name="indicator_baseline_has_value",
                violation_error_message=_("Ett basår behöver ett basvärde."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chain_indicator", args=[self.pk])

    def clean(self):
        if self.baseline_year and self.baseline_value is None:
            raise ValidationError({"baseline_value": _("Ange basvärdet för basåret.")})


class Target(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indikator")
    )
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    value = models.DecimalField(_("målvärde"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("målvärde")
        verbose_name_plural = _("målvärden")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="target_unique_year",
                violation_error_message=_("Indikatorn har redan ett målvärde för det året."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.year}: {self.value}"

    def clean(self):
        if self.indicator_id and self.year:
            goal = self.indicator.direction_goal
            if not goal.covers_year(self.year):
                raise ValidationError(
                    {
                        "year": _(
                            "Året %(year)s ligger utanför inriktningsmålets år %(start)s–%(end)s."
                        )
                        % {"year": self.year, "start": goal.valid_from, "end": goal.valid_to}
                    }
                )


class ReferenceValue(models.Model):
    """A comparison figure for an indicator in one year, e.g. Riket (Kolada area 0000)."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="reference_values",
        verbose_name=_("indikator"),
    )
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    area_code = models.CharField(
        _("områdeskod"), max_length=10, help_text=_("Kolada-id för området, t.ex. 0000 för riket.")
    )
    area_name = models.CharField(_("område"), max_length=100)
    value = models.DecimalField(_("värde"), max_digits=14, decimal_places=2)
    fetched_at = models.DateTimeField(_("hämtat"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year", "area_code"]
        verbose_name = _("jämförelsevärde")
        verbose_name_plural = _("jämförelsevärden")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "area_code"],
                name="referencevalue_unique_area_year",
                violation_error_message=_("Indikatorn har redan ett värde för området det året."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.year} {self.area_name}: {self.value}"
