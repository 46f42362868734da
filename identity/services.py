"""Writes made by a sign-in through the identity provider: the user and its memberships."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from goals.audit import record
from goals.models import AuditEntry, Membership

from .models import ExternalIdentity, GroupMapping, ProvisionedMembership


class SignInRefused(Exception):
    """A sign-in the provider accepted but Styrsystem cannot take; the message is Swedish and
    shown to the user."""


def claim_values(claims: dict) -> list[str]:
    """The group or role values of the claims, as strings (Entra ID sends a list; some
    providers send one string)."""
    value = claims.get(settings.OIDC_GROUPS_CLAIM, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return sorted({str(item) for item in value if str(item).strip()})


def _username(claims: dict) -> str:
    name = claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("email") or claims["sub"]
    return str(name).strip()[:150]


def user_sign_in_from_claims(*, issuer: str, claims: dict):
    """Find or create the user of verified ID token claims, take over name and e-mail, and
    make the mapped memberships follow the provider's groups. One transaction: a refusal or
    an error leaves nothing behind."""
    User = get_user_model()
    subject = str(claims["sub"])
    if settings.OIDC_GROUPS_CLAIM not in claims and settings.OIDC_GROUPS_CLAIM in claims.get(
        "_claim_names", {}
    ):
        # Entra ID's "group overage": too many groups for a token, so none are sent. Taken as
        # "no groups" it would remove every mapped role; refuse instead, and say what helps.
        raise SignInRefused(
            "Du är med i för många grupper för att de ska följa med inloggningen, så Styrsystem "
            "kan inte se vilka behörigheter du ska ha. Be "
            f"{settings.OIDC_ACCESS_CONTACT} att låta appregistreringen skicka bara de grupper "
            "som tilldelats programmet, eller att använda approller."
        )
    with transaction.atomic():
        identity = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is None:
            username = _username(claims)
            user = User.objects.filter(username__iexact=username).first()
            if user is not None:
                if hasattr(user, "external_identity") or not settings.OIDC_LINK_EXISTING_USERS:
                    raise SignInRefused(
                        f"Det finns redan ett konto med användarnamnet {username} i Styrsystem "
                        "som inte är kopplat till ditt konto hos identitetsleverantören. Be "
                        f"{settings.OIDC_ACCESS_CONTACT} att koppla eller byta namn på kontot."
                    )
            else:
                user = User.objects.create_user(username=username)
            identity = ExternalIdentity(user=user, issuer=issuer, subject=subject)
        user = identity.user
        user.first_name = str(claims.get("given_name", user.first_name))[:150]
        user.last_name = str(claims.get("family_name", user.last_name))[:150]
        user.email = str(claims.get("email", user.email))[:254]
        user.save()
        groups = claim_values(claims)
        identity.last_groups = groups
        identity.last_sign_in = timezone.now()
        identity.save()
        memberships_follow_groups(user=user, groups=groups)
    return user


def memberships_follow_groups(*, user, groups: list[str]) -> tuple[int, int]:
    """Add the memberships the groups map to and remove those the mapping gave earlier but the
    groups no longer give. Memberships given by hand (no ProvisionedMembership) stay as they
    are. Each change is written to the audit log (goals.audit's signals); a summary entry says
    that the identity provider caused it. Returns (added, removed)."""
    wanted = set(
        GroupMapping.objects.filter(claim_value__in=groups).values_list("org_unit_id", "role")
    )
    mine = {
        (m.org_unit_id, m.role): m
        for m in Membership.objects.filter(user=user).select_related("provisioned", "org_unit")
    }
    provisioned = {key: m for key, m in mine.items() if hasattr(m, "provisioned")}
    added = removed = 0
    with transaction.atomic():
        for key in sorted(wanted - mine.keys()):
            membership = Membership.objects.create(user=user, org_unit_id=key[0], role=key[1])
            ProvisionedMembership.objects.create(membership=membership)
            added += 1
        for key in sorted(provisioned.keys() - wanted):
            provisioned[key].delete()
            removed += 1
        if added or removed:
            record(
                action=AuditEntry.Action.PERMISSION,
                user=user,
                summary=f"{user.get_username()} loggade in via identitetsleverantören: "
                f"{added} behörighet(er) tillagda och {removed} borttagna enligt "
                f"gruppmappningen (grupper: {', '.join(groups) or 'inga'})",
            )
    return added, removed


def user_has_access(user) -> bool:
    return user.is_superuser or Membership.objects.filter(user=user).exists()
