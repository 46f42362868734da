"""The plan year, its reporting occasions, and each unit's operational plan with its activities."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import YEAR_VALIDATORS, text_limit
from .chain import DirectionGoal
from .organisation import OrgUnit


class PlanYear(models.Model):
    class Phase(models.TextChoices):
        PLAN = "plan", _("Planera")
        EXECUTE = "execute", _("Genomföra")
        FOLLOW_UP = "follow_up", _("Följa upp")
        ANALYSE = "analyse", _("Analysera")

    year = models.PositiveSmallIntegerField(_("år"), unique=True, validators=YEAR_VALIDATORS)
    phase = models.CharField(_("fas"), max_length=20, choices=Phase.choices, default=Phase.PLAN)
    is_current = models.BooleanField(
        _("aktuellt år"), default=False, help_text=_("Året som visas när inget annat är valt.")
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("verksamhetsår")
        verbose_name_plural = _("verksamhetsår")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="planyear_year_range"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=["plan", "execute", "follow_up", "analyse"]),
                name="planyear_phase_valid",
            ),
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="planyear_one_current",
                violation_error_message=_("Bara ett verksamhetsår kan vara aktuellt."),
            ),
        ]

    def __str__(self):
        return str(self.year)


class ReportingOccasion(models.Model):
    class Kind(models.TextChoices):
        OPERATIONAL_PLAN = "operational_plan", _("Verksamhetsplan")
        TERTIAL_REPORT = "tertial_report", _("Tertialrapport")
        INTERIM_REPORT = "interim_report", _("Delårsrapport")
        ANNUAL_REPORT = "annual_report", _("Verksamhetsberättelse")

    plan_year = models.ForeignKey(
        PlanYear,
        on_delete=models.CASCADE,
        related_name="reporting_occasions",
        verbose_name=_("verksamhetsår"),
    )
    kind = models.CharField(_("typ"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("namn"), max_length=100)
    period_end = models.DateField(_("period t.o.m."))
    opens_on = models.DateField(_("öppnar"))
    deadline = models.DateField(_("sista dag"))
    closes_on = models.DateField(
        _("stänger"),
        null=True,
        blank=True,
        help_text=_("Efter denna dag kan inget lämnas in. Tomt: öppet även efter sista dag."),
    )
    grace_days = models.PositiveSmallIntegerField(
        _("respitdagar"),
        default=0,
        help_text=_(
            "Det som lämnas in så många dagar efter sista dag räknas ändå som i tid. "
            "0: sista dag gäller."
        ),
    )

    class Meta:
        ordering = ["plan_year__year", "period_end"]
        verbose_name = _("rapporteringstillfälle")
        verbose_name_plural = _("rapporteringstillfällen")
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "name"], name="occasion_unique_name"),
            models.CheckConstraint(
                condition=Q(opens_on__lte=F("deadline")),
                name="occasion_opens_before_deadline",
                violation_error_message=_("Tillfället måste öppna senast sista dagen."),
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.plan_year.year}"

    def clean(self):
        if self.opens_on and self.deadline and self.opens_on > self.deadline:
            raise ValidationError({"deadline": _("Sista dag kan inte ligga före öppningsdagen.")})
        if self.closes_on and self.deadline and self.closes_on < self.deadline:
            raise ValidationError({"closes_on": _("Tillfället kan inte stänga före sista dag.")})

    @property
    def last_day(self) -> datetime.date:
        """The last day a hand-in counts as on time: the deadline and any days of grace."""
        return self.deadline + datetime.timedelta(days=self.grace_days or 0)

    def is_overdue(self, today) -> bool:
        return today > self.last_day

    def days_late(self, submitted_on) -> int:
        """Days after the deadline of a hand-in made after the last day; 0 when on time."""
        if submitted_on is None or submitted_on <= self.last_day:
            return 0
        return (submitted_on - self.deadline).days

    def is_open(self, today) -> bool:
        return self.opens_on <= today and (self.closes_on is None or today <= self.closes_on)

    @property
    def is_follow_up(self) -> bool:
        """Every occasion but the Verksamhetsplan looks back: outcomes and assessments."""
        return self.kind != self.Kind.OPERATIONAL_PLAN

    @property
    def is_mid_year(self) -> bool:
        """Tertial and interim reports also forecast the year's end."""
        return self.kind in (self.Kind.TERTIAL_REPORT, self.Kind.INTERIM_REPORT)


class OperationalPlan(models.Model):
    """One org unit's verksamhetsplan for one year."""

    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="operational_plans",
        verbose_name=_("enhet"),
    )
    plan_year = models.ForeignKey(
        PlanYear,
        on_delete=models.PROTECT,
        related_name="operational_plans",
        verbose_name=_("verksamhetsår"),
    )
    basic_mission = models.TextField(_("grunduppdrag"), blank=True, validators=text_limit())
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_plans",
        verbose_name=_("föregående års plan"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Räknas upp vid varje sparning.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_year__year", "org_unit__name"]
        verbose_name = _("verksamhetsplan")
        verbose_name_plural = _("verksamhetsplaner")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "plan_year"],
                name="plan_unique_unit_year",
                violation_error_message=_("Enheten har redan en verksamhetsplan för året."),
            ),
        ]

    def __str__(self):
        return _("Verksamhetsplan %(year)s – %(unit)s") % {
            "year": self.plan_year.year,
            "unit": self.org_unit,
        }

    def get_absolute_url(self):
        return reverse("chain_plan", args=[self.pk])

    def clean(self):
        if self.org_unit_id and self.org_unit.committee is None:
            raise ValidationError(
                {"org_unit": _("En verksamhetsplan görs för en enhet som hör till en nämnd.")}
            )


class Activity(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Ej påbörjad")
        ONGOING = "ongoing", _("Pågående")
        DONE = "done", _("Genomförd")
        POSTPONED = "postponed", _("Senarelagd")
        CANCELLED = "cancelled", _("Avbruten")

    plan = models.ForeignKey(
        OperationalPlan,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("verksamhetsplan"),
    )
    direction_goal = models.ForeignKey(
        DirectionGoal,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("inriktningsmål"),
    )
    title = models.CharField(_("aktivitet"), max_length=300)
    description = models.TextField(_("beskrivning"), blank=True, validators=text_limit())
    responsible = models.CharField(_("ansvarig"), max_length=200, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("slut"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("fortsätter aktivitet"),
    )
    source_priority = models.ForeignKey(
        "Priority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("från prioritering"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Räknas upp vid varje sparning.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "direction_goal__code", "title"]
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lte=F("ends_on")),
                name="activity_dates_ordered",
                violation_error_message=_("Slutdatum kan inte ligga före startdatum."),
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["not_started", "ongoing", "done", "postponed", "cancelled"]
                ),
                name="activity_status_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("chain_activity", args=[self.pk])

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            errors["ends_on"] = _("Slutdatum kan inte ligga före startdatum.")
        if self.plan_id and self.direction_goal_id:
            committee = self.plan.org_unit.committee
            if committee is None or self.direction_goal.committee_id != committee.pk:
                errors["direction_goal"] = _(
                    "Aktiviteten måste tjäna ett inriktningsmål från %(committee)s, "
                    "den nämnd som enheten hör till."
                ) % {"committee": committee or _("enhetens nämnd")}
            elif not self.direction_goal.covers_year(self.plan.plan_year.year):
                errors["direction_goal"] = _(
                    "Inriktningsmålet gäller inte verksamhetsåret %(year)s."
                ) % {"year": self.plan.plan_year.year}
        if errors:
            raise ValidationError(errors)


# --- follow-up and review ------------------------------------------------------------------
