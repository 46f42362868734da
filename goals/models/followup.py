"""Follow-up data: outcomes, submissions and their review, assessments, comments, notices."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import Assessment, PublishedError, text_limit
from .chain import DirectionGoal, Indicator
from .organisation import OrgUnit
from .planning import Activity, ReportingOccasion


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
    # Mid-year: what the indicator is expected to show at year end (entered with the outcome).
    forecast = models.DecimalField(
        _("prognos helår"), max_digits=14, decimal_places=2, null=True, blank=True
    )
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
        if not getattr(self, "_unpublished_under_lock", False):
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


def _tkr(label):
    return models.DecimalField(label, max_digits=14, decimal_places=1, null=True, blank=True)


# The figures of a committee's economy, in tkr: the net ones first (budget frame, outcome,
# forecast), then revenue, cost and investments (budget, outcome, forecast each).
ECONOMY_FIELDS = (
    "budget_frame_tkr",
    "outcome_tkr",
    "forecast_tkr",
    "revenue_budget_tkr",
    "revenue_outcome_tkr",
    "revenue_forecast_tkr",
    "cost_budget_tkr",
    "cost_outcome_tkr",
    "cost_forecast_tkr",
    "investment_budget_tkr",
    "investment_outcome_tkr",
    "investment_forecast_tkr",
)
# The follow-up's texts beside the analysis: "Viktiga händelser" (every follow-up) and the
# committee's åtgärdsplan.
TEXT_FIELDS = ("important_events", "action_plan")


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
    # The economy beyond the net figures above (SHARED REPORTS.md: intäkter, kostnader, netto;
    # investeringar), each as budget, outcome to date and year-end forecast, in tkr.
    revenue_budget_tkr = _tkr(_("intäkter, budget (tkr)"))
    revenue_outcome_tkr = _tkr(_("intäkter, utfall hittills (tkr)"))
    revenue_forecast_tkr = _tkr(_("intäkter, helårsprognos (tkr)"))
    cost_budget_tkr = _tkr(_("kostnader, budget (tkr)"))
    cost_outcome_tkr = _tkr(_("kostnader, utfall hittills (tkr)"))
    cost_forecast_tkr = _tkr(_("kostnader, helårsprognos (tkr)"))
    investment_budget_tkr = _tkr(_("investeringar, budget (tkr)"))
    investment_outcome_tkr = _tkr(_("investeringar, utfall hittills (tkr)"))
    investment_forecast_tkr = _tkr(_("investeringar, helårsprognos (tkr)"))
    action_plan = models.TextField(
        _("åtgärdsplan"),
        blank=True,
        validators=text_limit(),
        help_text=_("Vad nämnden gör när prognosen visar underskott mot budget."),
    )
    important_events = models.TextField(_("viktiga händelser"), blank=True, validators=text_limit())
    # The adoption ("fastställd av …"), entered when publishing: a report says "Fastställd"
    # only where these are recorded, otherwise "Publicerad".
    adopted_by = models.CharField(_("fastställd av"), max_length=200, blank=True)
    adopted_on = models.DateField(_("fastställd den"), null=True, blank=True)
    adoption_paragraph = models.CharField(_("paragraf (§)"), max_length=20, blank=True)
    adoption_dnr = models.CharField(_("diarienummer (Dnr)"), max_length=50, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    submitted_on = models.DateField(
        _("först inlämnad"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Dagen den lämnades in första gången; avgör om den kom in efter sista dag."),
    )
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

    @property
    def days_late(self) -> int:
        """Days after the deadline it was first handed in, when after the last day; else 0."""
        return self.occasion.days_late(self.submitted_on)


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
    """Rows that belong to a submission: refused once it is published.

    A service that holds its submission's row lock and has checked that it is not published
    (goals.cycle.followup_save) sets `_unpublished_under_lock` on the rows it saves, which
    skips the two queries per row that would check it again (Measurement likewise).
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not getattr(self, "_unpublished_under_lock", False):
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
