"""The administrators' audit log: state moves, permission changes, imports."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


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
