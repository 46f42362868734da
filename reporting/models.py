"""Generated PDF reports per reporting occasion: stored, versioned, checksummed.

A `GeneratedReport` is one attempt at one version of one report: a kind (the committee's
report or the municipality's), an occasion and a scope (the committee, or the municipality
root for the municipality report). Its lifecycle is queued → running → done (or failed);
reporting.services.request_report() creates it and reporting.tasks.generate_report fills it.

A report whose covered submissions were all published when it was generated is *published*
and frozen: the model refuses to save or delete it again, so its file, checksum and page
count never change. New content gives a new row with the next version number; the file of
a version is never replaced (each has its own name, and the storage never overwrites).
"""

import datetime
import hashlib
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from goals.models import OrgUnit, ReportingOccasion


class FrozenReportError(ValidationError):
    """A published report cannot be changed or deleted."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "En publicerad rapport är fryst och kan inte ändras eller tas bort. "
                "Skapa en ny version i stället."
            ),
            code="frozen",
        )


def report_upload_to(instance: "GeneratedReport", filename: str) -> str:
    """reports/<year>/<occasion>/<scope>-v<version>-<hash>.pdf: one name per version."""
    occasion = instance.occasion
    year = occasion.plan_year.year
    scope = slugify(instance.org_unit.code) or "kommun"
    name = f"{scope}-{instance.kind}-v{instance.version}-{(instance.sha256 or 'x')[:12]}.pdf"
    return str(PurePosixPath("reports") / str(year) / slugify(occasion.name) / name)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class GeneratedReportQuerySet(models.QuerySet):
    def delete(self):
        if self.filter(published=True).exists():
            raise FrozenReportError()
        return super().delete()


class GeneratedReport(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Nämndens rapport")
        MUNICIPALITY = "municipality", _("Kommunens rapport")

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kö")
        RUNNING = "running", _("Skapas")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckades")

    class Origin(models.TextChoices):
        """What ordered the report: someone in the library, a publish, or the system."""

        LIBRARY = "library", _("Beställd i rapportbiblioteket")
        PUBLISH = "publish", _("Beställd när uppföljningen publicerades")
        SYSTEM = "system", _("Beställd av systemet")

    kind = models.CharField(_("rapporttyp"), max_length=20, choices=Kind.choices)
    occasion = models.ForeignKey(
        ReportingOccasion,
        on_delete=models.PROTECT,
        related_name="generated_reports",
        verbose_name=_("rapporteringstillfälle"),
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="generated_reports",
        verbose_name=_("omfattning"),
        help_text=_("Nämnden, eller kommunen för kommunens rapport."),
    )
    version = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(
        _("innehållets fingeravtryck"),
        max_length=64,
        help_text=_("sha256 av det som bestämmer rapportens innehåll."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("fel"), blank=True)
    # Bumped each time the report is queued anew (after a failure or a lost worker): a task
    # only claims the report for the attempt it was enqueued for, so a late duplicate of an
    # older task never runs a second render.
    attempt = models.PositiveIntegerField(_("försök"), default=1)
    task_id = models.CharField(_("uppgiftens id"), max_length=64, blank=True)
    file = models.FileField(_("fil"), upload_to=report_upload_to, max_length=300, blank=True)
    sha256 = models.CharField(_("sha256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("storlek (byte)"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("sidor"), null=True, blank=True)
    title = models.CharField(_("titel"), max_length=300, blank=True)
    published = models.BooleanField(
        _("publicerad"),
        default=False,
        help_text=_("Alla inlämningar som rapporten omfattar var publicerade när den skapades."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beställd av"),
    )
    origin = models.CharField(
        _("beställd genom"),
        max_length=20,
        choices=Origin.choices,
        default=Origin.LIBRARY,
        help_text=_(
            "I biblioteket av den som står som beställare, när den personen publicerade en "
            "uppföljning, eller av systemet (t.ex. när demodata lästes in)."
        ),
    )
    created_at = models.DateTimeField(_("beställd"), default=timezone.now)
    started_at = models.DateTimeField(_("påbörjad"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    render_seconds = models.FloatField(_("sekunder"), null=True, blank=True)
    weasyprint_seconds = models.FloatField(_("sekunder i WeasyPrint"), null=True, blank=True)
    # A report made in parts (reporting.parts): what the join needs (the front matter's data,
    # the fingerprint, the parts in order), and the attempt whose join was enqueued, so that
    # two parts finishing at once enqueue one join.
    parts_plan = models.JSONField(
        _("delarnas plan"), null=True, blank=True, encoder=DjangoJSONEncoder
    )
    join_attempt = models.PositiveIntegerField(_("sammanfogning för försök"), default=0)

    objects = GeneratedReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("genererad rapport")
        verbose_name_plural = _("genererade rapporter")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "occasion", "org_unit", "version"],
                name="generatedreport_unique_version",
            ),
            # The same content is generated once: a second request finds the first.
            models.UniqueConstraint(
                fields=["kind", "occasion", "org_unit", "content_hash"],
                name="generatedreport_unique_content",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["committee", "municipality"]),
                name="generatedreport_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="generatedreport_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(origin__in=["library", "publish", "system"]),
                name="generatedreport_origin_valid",
            ),
            models.CheckConstraint(
                condition=Q(published=False) | Q(status="done"),
                name="generatedreport_published_is_done",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(sha256="") & ~Q(file="")),
                name="generatedreport_done_has_file",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="generatedreport_status")]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} {self.occasion} – {self.org_unit}"

    # --- frozen once published ---------------------------------------------------------------

    def save(self, *args, **kwargs):
        if self._stored_published():
            raise FrozenReportError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_published():
            raise FrozenReportError()
        name = self.file.name if self.file else ""
        result = super().delete(*args, **kwargs)
        if name:
            self.file.storage.delete(name)
        return result

    def _stored_published(self) -> bool:
        if self.pk is None:
            return False
        return GeneratedReport.objects.filter(pk=self.pk, published=True).exists()

    # --- reading -------------------------------------------------------------------------------

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_stale(self) -> bool:
        """Queued or running for longer than REPORT_STALE_MINUTES: its worker is lost."""
        if not self.is_pending:
            return False
        since = self.started_at or self.created_at
        limit = datetime.timedelta(minutes=settings.REPORT_STALE_MINUTES)
        return timezone.now() - since > limit

    @property
    def year(self) -> int:
        return self.occasion.plan_year.year

    def download_name(self) -> str:
        """The file name a reader's browser saves: ASCII, e.g. delarsrapport-2026-un-v3.pdf."""
        scope = slugify(self.org_unit.code) or "kommun"
        return f"{slugify(self.occasion.name)}-{self.year}-{scope}-v{self.version}.pdf"

    def read_verified(self) -> bytes:
        """The stored file's bytes, after checking them against the stored sha256.

        Raises FileNotFoundError when the file is gone and TamperedReportError when its
        content differs from what was stored at generation.
        """
        if not self.file:
            raise FileNotFoundError(self.pk)
        with self.file.storage.open(self.file.name, "rb") as handle:
            data = handle.read()
        if not self.sha256 or sha256_bytes(data) != self.sha256:
            raise TamperedReportError(self)
        return data


class TamperedReportError(Exception):
    """The stored file's checksum differs from the one recorded at generation."""

    def __init__(self, report: GeneratedReport):
        super().__init__(f"GeneratedReport {report.pk}: sha256 differs from the stored one")
        self.report = report


# --- the municipality report in parts ------------------------------------------------------------


def part_upload_to(instance: "ReportPart", filename: str) -> str:
    """report-parts/<hash[:2]>/<hash>.pdf: one file per content, shared by every report."""
    digest = instance.content_hash
    return str(PurePosixPath("report-parts") / digest[:2] / f"{digest}.pdf")


class ReportPart(models.Model):
    """One rendered piece of a parted report (front matter, a committee, the appendix).

    Keyed by the sha256 of what decides its pages (its data, the templates and the stylesheet
    that print it), so the same content is rendered once and reused by every report and every
    version that contains it. Page numbers and the footer are not in a part: they are stamped
    on the joined document (reporting.parts), so a part does not depend on the parts before it.
    """

    class Kind(models.TextChoices):
        FRONT = "front", _("Omslag, innehåll och sammanfattning")
        COMMITTEE = "committee", _("Nämnd")
        APPENDIX = "appendix", _("Bilaga")
        PAGE_NUMBERS = "page_numbers", _("Sidnummer")

    Status = GeneratedReport.Status

    content_hash = models.CharField(_("innehållets fingeravtryck"), max_length=64, unique=True)
    kind = models.CharField(_("del"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("benämning"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("fel"), blank=True)
    attempt = models.PositiveIntegerField(_("försök"), default=1)
    # The part's data, kept until it is rendered (the worker may run on another machine).
    payload = models.JSONField(_("data"), null=True, blank=True, encoder=DjangoJSONEncoder)
    # Links from this part to anchors in other parts: [{"page", "rect", "anchor"}] (PDF points).
    links = models.JSONField(_("länkar"), default=list, blank=True)
    file = models.FileField(_("fil"), upload_to=part_upload_to, max_length=300, blank=True)
    pages = models.PositiveIntegerField(_("sidor"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("storlek (byte)"), null=True, blank=True)
    seconds = models.FloatField(_("sekunder i WeasyPrint"), null=True, blank=True)
    created_at = models.DateTimeField(_("beställd"), default=timezone.now)
    started_at = models.DateTimeField(_("påbörjad"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("skapad"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rapportdel")
        verbose_name_plural = _("rapportdelar")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="reportpart_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(file="") & Q(pages__isnull=False)),
                name="reportpart_done_has_file",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label} ({self.content_hash[:12]})"

    @property
    def is_stale(self) -> bool:
        """Queued or running for longer than REPORT_STALE_MINUTES: its worker is lost."""
        if self.status not in (self.Status.QUEUED, self.Status.RUNNING):
            return False
        since = self.started_at or self.created_at
        limit = datetime.timedelta(minutes=settings.REPORT_STALE_MINUTES)
        return timezone.now() - since > limit


class ReportPartUse(models.Model):
    """A parted report's parts after its front matter, in the order they are joined."""

    report = models.ForeignKey(GeneratedReport, on_delete=models.CASCADE, related_name="part_uses")
    part = models.ForeignKey(ReportPart, on_delete=models.PROTECT, related_name="uses")
    position = models.PositiveIntegerField(_("plats"))

    class Meta:
        ordering = ["report", "position"]
        verbose_name = _("använd rapportdel")
        verbose_name_plural = _("använda rapportdelar")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "position"], name="reportpartuse_unique_position"
            )
        ]

    def __str__(self):
        return f"{self.report_id}: {self.position}. {self.part.label}"
