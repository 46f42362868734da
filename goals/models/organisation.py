"""The organisation as a tree (django-mptt) and who has which role where."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey


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
        verbose_name_plural = _("organisationsenheter")
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
        if self.kind == self.Kind.UNIT and self.pk and self.get_children().exists():
            raise ValidationError(
                {"kind": _("Enheten har underliggande enheter och kan inte vara av typen Enhet.")}
            )

    @property
    def kind_definite(self) -> str:
        """The kind in definite form, as in "till enheten" or "till nämnden"."""
        return f"{self.get_kind_display().lower()}en"

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
