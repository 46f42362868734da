"""The steering chain as data: vision, areas, goals, organisation, plans and activities."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey
from simple_history.models import HistoricalRecords

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]

kolada_kpi_validator = RegexValidator(
    regex=r"^[A-Z]\d{5}$",
    message=_("Ett Kolada-id är en versal bokstav följd av fem siffror, till exempel N00945."),
)


class Vision(models.Model):
    statement = models.CharField(_("vision"), max_length=300)
    elaboration = models.TextField(_("utveckling av visionen"), blank=True)
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
    text = models.TextField(_("text"))
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
    text = models.TextField(_("text"))
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
    description = models.TextField(_("beskrivning"))
    vision_excerpt = models.TextField(
        _("från visionen"),
        blank=True,
        help_text=_("Den del av visionen som strategiområdet bygger på (Bilaga 1)."),
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
    description = models.TextField(_("beskrivning"), blank=True)
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
    comment = models.TextField(_("kommentar"), blank=True)
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
    basic_mission = models.TextField(_("grunduppdrag"), blank=True)
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
    description = models.TextField(_("beskrivning"), blank=True)
    responsible = models.CharField(_("ansvarig"), max_length=200, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("slut"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
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
