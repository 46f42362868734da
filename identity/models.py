"""Who a user is at the identity provider, and which provider groups give which roles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from goals.models import Membership, OrgUnit


class ExternalIdentity(models.Model):
    """Ties a local user to one subject at one issuer: the user is found again by this pair on
    every sign-in, never by e-mail address or user name (both can change or be reused)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identity",
        verbose_name=_("användare"),
    )
    issuer = models.CharField(_("utfärdare"), max_length=300)
    subject = models.CharField(_("subjekt (sub)"), max_length=255)
    last_groups = models.JSONField(_("grupper vid senaste inloggningen"), default=list, blank=True)
    last_sign_in = models.DateTimeField(_("senaste inloggningen"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extern identitet")
        verbose_name_plural = _("externa identiteter")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique")
        ]

    def __str__(self):
        return f"{self.user} ({self.subject})"


class GroupMapping(models.Model):
    """A value of the provider's group or role claim (e.g. an Entra ID group's object id or an
    app role) that gives its members a role on an org unit."""

    claim_value = models.CharField(
        _("grupp eller roll i identitetsleverantören"),
        max_length=255,
        help_text=_(
            "Värdet som det står i inloggningens grupp- eller rollanspråk, t.ex. gruppens "
            "objekt-id i Entra ID eller appens rollvärde."
        ),
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="group_mappings",
        verbose_name=_("enhet"),
    )
    role = models.CharField(_("roll"), max_length=20, choices=Membership.Role.choices)
    description = models.CharField(_("beskrivning"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["claim_value", "org_unit__code", "role"]
        verbose_name = _("gruppmappning")
        verbose_name_plural = _("gruppmappningar")
        constraints = [
            models.UniqueConstraint(
                fields=["claim_value", "org_unit", "role"], name="group_mapping_unique"
            )
        ]

    def __str__(self):
        return f"{self.claim_value} → {self.get_role_display()} för {self.org_unit}"


class ProvisionedMembership(models.Model):
    """Marks a membership as made by the group mapping: only these are removed again when the
    provider no longer reports the group. Memberships given by hand in the admin carry no
    mark and are left alone."""

    membership = models.OneToOneField(
        Membership,
        on_delete=models.CASCADE,
        related_name="provisioned",
        verbose_name=_("behörighet"),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("behörighet från identitetsleverantören")
        verbose_name_plural = _("behörigheter från identitetsleverantören")

    def __str__(self):
        return str(self.membership)
