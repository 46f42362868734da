"""The steering chain as data: vision, areas, goals, organisation, plans and activities."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey
from simple_history.models import HistoricalRecords

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]

# The longest free text kept (descriptions, comments, analyses, justifications, answers,
# reasons): several pages of prose. Longer is refused, never cut, wherever a text arrives
# (forms, imports, the admin), since every save also copies the text into the history.
# Titles and names are CharFields with their own max_length.
TEXT_MAX = 20_000


def text_limit() -> list:
    """The validators of a free-text field: at most TEXT_MAX characters."""
    return [MaxLengthValidator(TEXT_MAX)]


kolada_kpi_validator = RegexValidator(
    regex=r"^[A-Z]\d{5}$",
    message=_("Ett Kolada-id är en versal bokstav följd av fem siffror, till exempel N00945."),
)


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


class OrgUnit(MPTTModel):
    """A node of the organisation: the municipality, a committee, an administration…

    Write the tree only through goals.services (org_unit_create/update/move/delete),
    which lock it: django-mptt's own bookkeeping races under concurrent writes.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Kommun")
        COMMITTEE = "committee", _("Nämnd")
        ADMINISTRATION = "administration", _("Förvaltning")
        DEPARTMENT = "department", _("Avdelning")
        UNIT = "unit", _("Enhet")

    parent = TreeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("överordnad"),
    )
    name = models.CharField(_("namn"), max_length=200)
    code = models.CharField(
        _("kortnamn"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-ZÅÄÖ0-9][A-ZÅÄÖ0-9-]*$",
                _("Kortnamnet får bara innehålla versaler, siffror och bindestreck."),
            )
        ],
        help_text=_("Används vid import och i rapporter, till exempel UN."),
    )
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    own_operation = models.BooleanField(
        _("egenregi"), default=False, help_text=_("Verksamhet som kommunen själv driver.")
    )
    kolada_id = models.CharField(_("Kolada-id"), max_length=10, blank=True)

    class MPTTMeta:
        order_insertion_by = ["name"]

    class Meta:
        verbose_name = _("organisationsenhet")
        verbose_name_plural = _("organisation")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["municipality", "committee", "administration", "department", "unit"]
                ),
                name="orgunit_kind_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chain_org_unit", args=[self.pk])

    def clean(self):
        parent = self.parent
        if self.kind == self.Kind.MUNICIPALITY and parent is not None:
            raise ValidationError({"parent": _("En kommun kan inte ligga under en annan enhet.")})
        if self.kind != self.Kind.MUNICIPALITY and parent is None:
            raise ValidationError({"parent": _("Välj vilken enhet den här enheten ligger under.")})
        if self.kind == self.Kind.COMMITTEE and parent and parent.kind != self.Kind.MUNICIPALITY:
            raise ValidationError({"parent": _("En nämnd ligger direkt under kommunen.")})
        if parent and parent.kind == self.Kind.UNIT:
            raise ValidationError({"parent": _("En enhet kan inte ha underliggande enheter.")})

    @property
    def committee(self):
        """The committee this unit belongs to (itself if it is one), or None."""
        if self.kind == self.Kind.COMMITTEE:
            return self
        if self.parent_id is None:
            return None
        return self.get_ancestors().filter(kind=self.Kind.COMMITTEE).order_by("-level").first()


class Membership(models.Model):
    """A user's role on an org unit; it covers the unit and everything below it."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Redaktör")
        REVIEWER = "reviewer", _("Granskare")
        READER = "reader", _("Läsare")
        ADMIN = "admin", _("Administratör")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("användare"),
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("enhet")
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("behörighet")
        verbose_name_plural = _("behörigheter")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org_unit", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["editor", "reviewer", "reader", "admin"]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.org_unit}"


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


class Measurement(models.Model):
    """An outcome of an indicator at one reporting occasion."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Inmatat")
        KOLADA = "kolada", _("Kolada")
        IMPORT = "import", _("Importerat")

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("indikator"),
    )
    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("rapporteringstillfälle"),
    )
    value = models.DecimalField(_("utfall"), max_digits=14, decimal_places=2)
    comment = models.TextField(_("kommentar"), blank=True, validators=text_limit())
    source = models.CharField(
        _("källa"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    fetched_at = models.DateTimeField(_("hämtat"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "occasion__period_end"]
        verbose_name = _("utfall")
        verbose_name_plural = _("utfall")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "occasion"],
                name="measurement_unique_occasion",
                violation_error_message=_("Indikatorn har redan ett utfall för tillfället."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.occasion}: {self.value}"

    def save(self, *args, **kwargs):
        self._refuse_if_published()
        if self.pk:
            stored = Measurement.objects.filter(pk=self.pk).first()
            if stored is not None:
                stored._refuse_if_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_published()
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        try:
            self._refuse_if_published()
        except PublishedError:
            return True
        return False

    def _refuse_if_published(self):
        committee_id = (
            Indicator.objects.filter(pk=self.indicator_id)
            .values_list("direction_goal__committee_id", flat=True)
            .first()
        )
        if Submission.objects.filter(
            occasion_id=self.occasion_id, org_unit_id=committee_id, state="published"
        ).exists():
            raise PublishedError()


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


class PublishedError(ValidationError):
    """Published follow-up is final: refused in services and on save."""

    def __init__(self, message=None):
        super().__init__(
            message or _("Uppföljningen är publicerad och kan inte längre ändras."),
            code="published",
        )


class Assessment(models.TextChoices):
    FULFILLED = "fulfilled", _("Uppfyllt")
    PARTLY = "partly", _("Delvis uppfyllt")
    NOT_FULFILLED = "not_fulfilled", _("Ej uppfyllt")
    NOT_ASSESSED = "not_assessed", _("Ej bedömt")


ASSESSMENT_SYMBOLS = {
    Assessment.FULFILLED: "●",
    Assessment.PARTLY: "◐",
    Assessment.NOT_FULFILLED: "✕",
    Assessment.NOT_ASSESSED: "–",
}


class Submission(models.Model):
    """One committee's or unit's follow-up for one reporting occasion, and its review state."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SUBMITTED = "submitted", _("Inlämnad")
        RETURNED = "returned", _("Återsänd")
        APPROVED = "approved", _("Godkänd")
        PUBLISHED = "published", _("Publicerad")

    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("rapporteringstillfälle"),
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("enhet")
    )
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default="draft")
    analysis = models.TextField(_("analys"), blank=True, validators=text_limit())
    budget_frame_tkr = models.DecimalField(
        _("budgetram (tkr)"), max_digits=14, decimal_places=1, null=True, blank=True
    )
    outcome_tkr = models.DecimalField(
        _("utfall hittills (tkr)"), max_digits=14, decimal_places=1, null=True, blank=True
    )
    forecast_tkr = models.DecimalField(
        _("helårsprognos (tkr)"), max_digits=14, decimal_places=1, null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["occasion__period_end", "org_unit__name"]
        verbose_name = _("uppföljning")
        verbose_name_plural = _("uppföljningar")
        constraints = [
            models.UniqueConstraint(
                fields=["occasion", "org_unit"],
                name="submission_unique_unit",
                violation_error_message=_("Enheten har redan en uppföljning för tillfället."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "returned", "approved", "published"]),
                name="submission_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.occasion} – {self.org_unit}"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = Submission.objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored == self.State.PUBLISHED:
                raise PublishedError()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("followup_edit", args=[self.occasion_id, self.org_unit.code])

    def delete(self, *args, **kwargs):
        if Submission.objects.filter(pk=self.pk, state=self.State.PUBLISHED).exists():
            raise PublishedError()
        return super().delete(*args, **kwargs)

    @property
    def is_committee(self) -> bool:
        return self.org_unit.kind == OrgUnit.Kind.COMMITTEE

    @property
    def is_editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)


class PublishedFollowUp(models.Model):
    """What a follow-up showed when it was published, as plain data (goals.frozen).

    The published page, the review page and every later report of the occasion render from
    it, whatever happens afterwards to the live rows (targets, indicators, names, outcomes).
    Written once, in the publishing transaction, and never changed.
    """

    submission = models.OneToOneField(
        Submission,
        on_delete=models.CASCADE,
        related_name="published_record",
        verbose_name=_("uppföljning"),
    )
    data = models.JSONField(_("innehåll"))
    frozen_at = models.DateTimeField(_("fryst"), auto_now_add=True)

    class Meta:
        verbose_name = _("publicerad uppföljning")
        verbose_name_plural = _("publicerade uppföljningar")

    def __str__(self):
        return str(self.submission)

    def save(self, *args, **kwargs):
        if self.pk or PublishedFollowUp.objects.filter(submission=self.submission_id).exists():
            raise PublishedError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PublishedError()


class LockedWithSubmission(models.Model):
    """Rows that belong to a submission: refused once it is published."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_published()
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).first()
            if stored is not None:
                stored._refuse_if_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_published()
        return super().delete(*args, **kwargs)

    def _locking_submission_ids(self) -> list[int]:
        return [self.submission_id] if self.submission_id else []

    def _refuse_if_published(self):
        ids = self._locking_submission_ids()
        if ids and Submission.objects.filter(pk__in=ids, state=Submission.State.PUBLISHED).exists():
            raise PublishedError()


class SubmissionEvent(models.Model):
    """Every move of a submission: who, when, from which state to which, and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Lämnade in")
        RETURN = "return", _("Återsände")
        APPROVE = "approve", _("Godkände")
        PUBLISH = "publish", _("Publicerade")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="events", verbose_name=_("uppföljning")
    )
    action = models.CharField(_("händelse"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("från"), max_length=20, choices=Submission.State.choices)
    to_state = models.CharField(_("till"), max_length=20, choices=Submission.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("av")
    )
    at = models.DateTimeField(_("när"), auto_now_add=True)
    reason = models.TextField(_("motivering"), blank=True, validators=text_limit())

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")

    def __str__(self):
        return f"{self.get_action_display()} {self.submission} ({self.at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError(_("En händelse i granskningen kan inte ändras i efterhand."))
        super().save(*args, **kwargs)


class GoalAssessment(LockedWithSubmission):
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("uppföljning"),
    )
    direction_goal = models.ForeignKey(
        DirectionGoal,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("inriktningsmål"),
    )
    level = models.CharField(_("bedömning"), max_length=20, choices=Assessment.choices, blank=True)
    suggested_level = models.CharField(
        _("föreslagen bedömning"), max_length=20, choices=Assessment.choices, blank=True
    )
    justification = models.TextField(
        _("motivering till avvikande bedömning"), blank=True, validators=text_limit()
    )
    forecast_level = models.CharField(
        _("prognos för helåret"), max_length=20, choices=Assessment.choices, blank=True
    )
    comment = models.TextField(_("kommentar"), blank=True, validators=text_limit())
    history = HistoricalRecords()

    class Meta:
        ordering = ["direction_goal__code"]
        verbose_name = _("målbedömning")
        verbose_name_plural = _("målbedömningar")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "direction_goal"], name="assessment_unique_goal"
            ),
        ]

    def __str__(self):
        return f"{self.direction_goal.code}: {self.get_level_display() or '–'}"

    @property
    def overridden(self) -> bool:
        return bool(self.level and self.suggested_level and self.level != self.suggested_level)

    def clean(self):
        if self.overridden and not self.justification.strip():
            raise ValidationError(
                {
                    "justification": _(
                        "Motivera varför bedömningen avviker från den föreslagna (%(s)s)."
                    )
                    % {"s": Assessment(self.suggested_level).label}
                }
            )


class ActivityFollowUp(LockedWithSubmission):
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="activity_followups",
        verbose_name=_("uppföljning"),
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="followups", verbose_name=_("aktivitet")
    )
    status = models.CharField(_("status"), max_length=20, choices=Activity.Status.choices)
    comment = models.TextField(_("kommentar"), blank=True, validators=text_limit())
    history = HistoricalRecords()

    class Meta:
        ordering = ["activity__title"]
        verbose_name = _("uppföljning av aktivitet")
        verbose_name_plural = _("uppföljningar av aktiviteter")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "activity"], name="activityfollowup_unique"
            ),
        ]

    def __str__(self):
        return f"{self.activity}: {self.get_status_display()}"


class ReviewComment(LockedWithSubmission):
    """A reviewer's remark on one item of a submission, answered and resolved by its authors."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="comments", verbose_name=_("uppföljning")
    )
    direction_goal = models.ForeignKey(
        DirectionGoal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_comments",
        verbose_name=_("inriktningsmål"),
    )
    text = models.TextField(_("kommentar"), validators=text_limit())
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_comments",
        verbose_name=_("av"),
    )
    created_at = models.DateTimeField(_("skriven"), auto_now_add=True)
    answer = models.TextField(_("svar"), blank=True, validators=text_limit())
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besvarad av"),
    )
    answered_at = models.DateTimeField(_("besvarad"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("löst"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("löst av"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("granskningskommentar")
        verbose_name_plural = _("granskningskommentarer")

    def __str__(self):
        return self.text[:60]


class Priority(LockedWithSubmission):
    """What the year's analysis says the next year must focus on, under a goal."""

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="priorities",
        verbose_name=_("uppföljning"),
    )
    direction_goal = models.ForeignKey(
        DirectionGoal,
        on_delete=models.PROTECT,
        related_name="priorities",
        verbose_name=_("inriktningsmål"),
    )
    text = models.CharField(_("prioritering"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        ordering = ["submission", "pk"]
        verbose_name = _("prioritering")
        verbose_name_plural = _("prioriteringar")

    def __str__(self):
        return self.text


class Notice(models.Model):
    """An e-mail notice that has been sent; makes the daily deadline run idempotent."""

    kind = models.CharField(_("typ"), max_length=30)
    occasion = models.ForeignKey(ReportingOccasion, on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    recipient = models.EmailField(_("mottagare"))
    sent_at = models.DateTimeField(_("skickad"), auto_now_add=True)

    class Meta:
        verbose_name = _("avisering")
        verbose_name_plural = _("aviseringar")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "occasion", "org_unit", "recipient"], name="notice_once"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.occasion} {self.org_unit} → {self.recipient}"


# --- Kolada ------------------------------------------------------------------------------------


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


class AuditEntry(models.Model):
    """The administrators' audit log: state moves, permission changes, imports."""

    class Action(models.TextChoices):
        STATE_MOVE = "state_move", _("Statusändring")
        PERMISSION = "permission", _("Behörighet")
        IMPORT = "import", _("Import")

    at = models.DateTimeField(_("när"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vem"),
    )
    action = models.CharField(_("typ"), max_length=20, choices=Action.choices)
    # Kept as text: the log outlives renamed and removed units.
    unit_code = models.CharField(_("enhetskod"), max_length=30, blank=True, db_index=True)
    unit_name = models.CharField(_("enhet"), max_length=200, blank=True)
    summary = models.CharField(_("vad"), max_length=500)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("loggpost")
        verbose_name_plural = _("granskningslogg")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError(_("Loggen kan inte ändras i efterhand."))
        super().save(*args, **kwargs)
