"""The kvalitetsledningssystem: quality controls, their measurements, and deviations.

It is kept apart from goal steering (seed §4.1) but linked to it both ways: a deviation
can be lifted into a plan as an activity (Deviation.activity), and an indicator that only
checks that quality holds can be moved here as a control (QualityControl.source_indicator,
IndicatorMove, goals.Indicator.moved_to_quality_on).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from goals.models import Activity, Indicator, OrgUnit, text_limit

VERSION_HELP = _("Räknas upp vid varje sparning.")


class QualityControl(models.Model):
    """What the quality system checks for a unit, and how often."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Månadsvis")
        QUARTERLY = "quarterly", _("Kvartalsvis")
        TERTIAL = "tertial", _("Tertialvis")
        HALF_YEARLY = "half_yearly", _("Halvårsvis")
        YEARLY = "yearly", _("Årligen")
        CONTINUOUS = "continuous", _("Löpande")

    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="quality_controls",
        verbose_name=_("enhet"),
    )
    name = models.CharField(_("namn"), max_length=400)
    description = models.TextField(_("beskrivning"), blank=True, validators=text_limit())
    frequency = models.CharField(
        _("frekvens"), max_length=20, choices=Frequency.choices, default=Frequency.YEARLY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_quality_controls",
        verbose_name=_("ansvarig"),
    )
    unit_of_measure = models.CharField(_("enhet för mätvärdet"), max_length=40, blank=True)
    higher_is_better = models.BooleanField(_("högre värde är bättre"), default=True)
    active = models.BooleanField(_("aktiv"), default=True)
    source_indicator = models.OneToOneField(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quality_control",
        verbose_name=_("flyttad från indikator"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=VERSION_HELP
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["org_unit__name", "name"]
        verbose_name = _("kvalitetskontroll")
        verbose_name_plural = _("kvalitetskontroller")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    frequency__in=[
                        "monthly",
                        "quarterly",
                        "tertial",
                        "half_yearly",
                        "yearly",
                        "continuous",
                    ]
                ),
                name="qualitycontrol_frequency_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("quality:control_detail", args=[self.pk])


class QualityMeasurement(models.Model):
    """One reading of a control: a date (and optionally the period it covers) and a value."""

    control = models.ForeignKey(
        QualityControl,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("kvalitetskontroll"),
    )
    measured_on = models.DateField(_("datum"))
    period_label = models.CharField(
        _("period"),
        max_length=60,
        blank=True,
        help_text=_("Till exempel ”Kvartal 1 2026” eller ”Mars 2026”."),
    )
    value = models.DecimalField(_("värde"), max_digits=14, decimal_places=2)
    comment = models.TextField(_("kommentar"), blank=True, validators=text_limit())
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    registered_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=VERSION_HELP
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["control", "measured_on", "pk"]
        verbose_name = _("kvalitetsmätning")
        verbose_name_plural = _("kvalitetsmätningar")

    def __str__(self):
        return f"{self.control} {self.measured_on:%Y-%m-%d}: {self.value}"

    def get_absolute_url(self):
        return reverse("quality:control_detail", args=[self.control_id]) + f"#matning-{self.pk}"


class Deviation(models.Model):
    """An avvikelse: something that did not go as the mission or the law requires."""

    class Severity(models.TextChoices):
        LOW = "low", _("Låg")
        MEDIUM = "medium", _("Medel")
        HIGH = "high", _("Hög")
        SEVERE = "severe", _("Allvarlig")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registrerad")
        INVESTIGATING = "investigating", _("Under utredning")
        REMEDIED = "remedied", _("Åtgärdad")
        CLOSED = "closed", _("Avslutad")

    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("enhet")
    )
    occurred_on = models.DateField(_("datum"))
    title = models.CharField(_("rubrik"), max_length=200)
    description = models.TextField(_("beskrivning"), validators=text_limit())
    severity = models.CharField(
        _("allvarlighetsgrad"), max_length=20, choices=Severity.choices, default=Severity.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    harms_goal_fulfilment = models.BooleanField(
        _("påverkar måluppfyllelsen negativt"),
        default=False,
        help_text=_("Då kan avvikelsen lyftas in i verksamhetsplanen som en aktivitet."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_deviations",
        verbose_name=_("rapporterad av"),
    )
    reported_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    activity = models.OneToOneField(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_deviation",
        verbose_name=_("lyft till aktivitet"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=VERSION_HELP
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("avvikelse")
        verbose_name_plural = _("avvikelser")
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["low", "medium", "high", "severe"]),
                name="deviation_severity_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["registered", "investigating", "remedied", "closed"]),
                name="deviation_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.occurred_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("quality:deviation_detail", args=[self.pk])


class IndicatorMove(models.Model):
    """An indicator moved from goal steering to the quality system, and its reversal."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="quality_moves",
        verbose_name=_("indikator"),
    )
    control = models.ForeignKey(
        QualityControl,
        on_delete=models.PROTECT,
        related_name="moves",
        verbose_name=_("kvalitetskontroll"),
    )
    moved_on = models.DateField(
        _("flyttad från och med"),
        help_text=_("Tillfällen vars period slutar denna dag eller senare visar inte indikatorn."),
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("flyttad av"),
    )
    moved_at = models.DateTimeField(_("flyttad"), auto_now_add=True)
    reason = models.TextField(_("motivering"), validators=text_limit())
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ångrad av"),
    )
    reversed_at = models.DateTimeField(_("ångrad"), null=True, blank=True)
    reversal_reason = models.TextField(
        _("motivering till ångrandet"), blank=True, validators=text_limit()
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-moved_at", "-pk"]
        verbose_name = _("flytt av indikator")
        verbose_name_plural = _("flyttar av indikatorer")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(reversed_at__isnull=True),
                name="indicatormove_one_open_per_indicator",
                violation_error_message=_("Indikatorn är redan flyttad."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} → {self.control} ({self.moved_on:%Y-%m-%d})"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None
