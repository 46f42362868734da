"""Governing documents (styrdokument) a unit's mission rests on, and assignments (uppdrag)."""

import datetime
import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.bidi import download_name as clean_download_name
from goals.models import DirectionGoal, LockedWithSubmission, OrgUnit, Submission, text_limit
from goals.permissions import is_within


def governing_document_upload_to(instance, filename: str) -> str:
    """A random name under styrdokument/: the user's file name is kept in a field, never a path."""
    return f"styrdokument/{uuid.uuid4().hex}.pdf"


class GoverningDocument(models.Model):
    """A law, regulation, policy, plan… that the mission of one or more units rests on."""

    class Kind(models.TextChoices):
        LAW = "lag", _("Lag")
        ORDINANCE = "forordning", _("Förordning")
        REGULATION = "foreskrift", _("Föreskrift")
        STATUTE = "reglemente", _("Reglemente")
        POLICY = "policy", _("Policy")
        PROGRAMME = "program", _("Program")
        PLAN = "plan", _("Plan")
        GUIDELINE = "riktlinje", _("Riktlinje")
        RULE = "regel", _("Regel")
        DELEGATION = "delegationsordning", _("Delegationsordning")
        TARIFF = "taxa", _("Taxa")
        OTHER = "annat", _("Annat")

    class Level(models.TextChoices):
        STATE = "statlig", _("Statlig")
        MUNICIPAL = "kommunal", _("Kommunal")

    title = models.CharField(_("titel"), max_length=300)
    kind = models.CharField(_("typ"), max_length=30, choices=Kind.choices)
    level = models.CharField(_("nivå"), max_length=20, choices=Level.choices)
    decided_by = models.CharField(
        _("beslutat av"),
        max_length=200,
        help_text=_("Till exempel Kommunfullmäktige, Utbildningsnämnden eller Riksdagen."),
    )
    decided_on = models.DateField(_("beslutsdatum"))
    next_review_on = models.DateField(
        _("nästa revidering"),
        null=True,
        blank=True,
        help_text=_(
            "När dokumentet senast ska ses över. Kommunala dokument har normalt ett datum."
        ),
    )
    link = models.URLField(
        _("länk"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Adress som börjar med https:// eller http://."),
    )
    file = models.FileField(
        _("fil (PDF)"), upload_to=governing_document_upload_to, max_length=200, blank=True
    )
    file_name = models.CharField(_("filnamn"), max_length=200, blank=True)
    owning_unit = models.ForeignKey(
        OrgUnit,
        # A unit is removed only when nothing else (goals, plans, follow-ups) holds it; its
        # documents go with it, and their history stays.
        on_delete=models.CASCADE,
        related_name="owned_governing_documents",
        verbose_name=_("ägande enhet"),
    )
    units = models.ManyToManyField(
        OrgUnit,
        related_name="governing_documents",
        blank=True,
        verbose_name=_("enheter vars uppdrag vilar på dokumentet"),
    )
    direction_goals = models.ManyToManyField(
        DirectionGoal,
        related_name="governing_documents",
        blank=True,
        verbose_name=_("inriktningsmål"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Räknas upp vid varje sparning.")
    )
    history = HistoricalRecords(m2m_fields=[units, direction_goals])

    class Meta:
        ordering = ["title"]
        verbose_name = _("styrdokument")
        verbose_name_plural = _("styrdokument")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["statlig", "kommunal"]), name="governingdocument_level_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("governance:document_detail", args=[self.pk])

    def clean(self):
        if not self.link and not self.file and not getattr(self, "_upload_pending", False):
            raise ValidationError({"link": _("Ange en länk eller ladda upp dokumentet som PDF.")})

    def review_overdue(self, today: datetime.date) -> bool:
        return self.next_review_on is not None and self.next_review_on < today

    @property
    def download_name(self) -> str:
        """The uploaded file's name, shown on the page and sent with the file: no folders, no
        bidi or control characters (a stored "\u202egnp.exe" would read "exe.png"), .pdf."""
        name = clean_download_name(PurePath(self.file_name or "").name, "styrdokument.pdf")
        return name if name.lower().endswith(".pdf") else f"{name}.pdf"


class Assignment(models.Model):
    """An uppdrag given by kommunfullmäktige (the municipality) or a committee to a unit."""

    text = models.TextField(_("uppdrag"), validators=text_limit())
    given_by = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="given_assignments",
        verbose_name=_("givet av"),
        help_text=_("Kommunfullmäktige eller en nämnd."),
    )
    given_on = models.DateField(_("beslutsdatum"))
    deadline = models.DateField(_("ska vara klart senast"))
    receiving_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="received_assignments",
        verbose_name=_("mottagare"),
    )
    direction_goal = models.ForeignKey(
        DirectionGoal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("inriktningsmål"),
    )
    closed_on = models.DateField(
        _("avslutat"),
        null=True,
        blank=True,
        help_text=_("Datum då uppdraget avslutades (genomfört eller avbrutet). Tomt: pågår."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Räknas upp vid varje sparning.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("uppdrag")
        verbose_name_plural = _("uppdrag")

    def __str__(self):
        return self.short_text

    def get_absolute_url(self):
        return reverse("governance:assignment_detail", args=[self.pk])

    @property
    def short_text(self) -> str:
        first = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return first if len(first) <= 80 else first[:79] + "…"

    @property
    def given_by_label(self) -> str:
        """Kommunfullmäktige speaks for the municipality; a committee by its own name."""
        if self.given_by.kind == OrgUnit.Kind.MUNICIPALITY:
            return str(_("Kommunfullmäktige"))
        return self.given_by.name

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    def clean(self):
        errors = {}
        giver = self.given_by if self.given_by_id else None
        if giver is not None and giver.kind not in (
            OrgUnit.Kind.MUNICIPALITY,
            OrgUnit.Kind.COMMITTEE,
        ):
            errors["given_by"] = _("Ett uppdrag ges av kommunfullmäktige eller en nämnd.")
        elif giver is not None and self.receiving_unit_id:
            unit = self.receiving_unit
            inside = is_within(unit, giver)
            if not inside:
                errors["receiving_unit"] = _(
                    "%(giver)s kan bara ge uppdrag till enheter inom sitt eget ansvarsområde."
                ) % {"giver": self.given_by_label}
        if self.given_on and self.deadline and self.deadline < self.given_on:
            errors["deadline"] = _("Sista dag kan inte ligga före beslutsdatum.")
        if self.given_on and self.closed_on and self.closed_on < self.given_on:
            errors["closed_on"] = _("Uppdraget kan inte avslutas före beslutsdatum.")
        if errors:
            raise ValidationError(errors)


class AssignmentStatus(LockedWithSubmission):
    """An assignment's status as reported in one follow-up (the unit's submission)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Ej påbörjat")
        ONGOING = "ongoing", _("Pågår")
        DONE = "done", _("Genomfört")
        DELAYED = "delayed", _("Försenat")
        CANCELLED = "cancelled", _("Avbrutet")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="statuses", verbose_name=_("uppdrag")
    )
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="assignment_statuses",
        verbose_name=_("uppföljning"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    comment = models.TextField(_("kommentar"), blank=True, validators=text_limit())
    history = HistoricalRecords()

    class Meta:
        ordering = ["submission__occasion__period_end", "pk"]
        verbose_name = _("status för uppdrag")
        verbose_name_plural = _("status för uppdrag")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "submission"], name="assignmentstatus_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "ongoing", "done", "delayed", "cancelled"]),
                name="assignmentstatus_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.assignment}: {self.get_status_display()}"

    @property
    def css(self) -> str:
        """The activity status colours: a delay reads like a postponed activity."""
        return "postponed" if self.status == self.Status.DELAYED else self.status
