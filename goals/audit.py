"""Writes to the administrators' audit log (goals.models.AuditEntry)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from .models import AuditEntry, Membership


def current_user():
    """The user of the request being served, if any (set by simple-history's middleware)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record(*, action: str, summary: str, user=None, org_unit=None) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        summary=summary[:500],
        user=user if user is not None else current_user(),
        unit_code=org_unit.code if org_unit is not None else "",
        unit_name=org_unit.name if org_unit is not None else "",
    )


@receiver(post_save, sender=Membership, dispatch_uid="audit_membership_saved")
def _membership_saved(sender, instance, created, **kwargs):
    verb = "fick" if created else "ändrades till"
    record(
        action=AuditEntry.Action.PERMISSION,
        org_unit=instance.org_unit,
        summary=f"{instance.user.get_username()} {verb} rollen {instance.get_role_display()} "
        f"för {instance.org_unit.name}",
    )


@receiver(post_delete, sender=Membership, dispatch_uid="audit_membership_deleted")
def _membership_deleted(sender, instance, **kwargs):
    record(
        action=AuditEntry.Action.PERMISSION,
        org_unit=instance.org_unit if instance.org_unit_id else None,
        summary=f"{instance.user.get_username()} förlorade rollen {instance.get_role_display()} "
        f"för {instance.org_unit.name}",
    )
