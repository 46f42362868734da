"""The authentication backend for the identity provider (mozilla-django-oidc's code flow),
with the endpoints from the discovery document and a stricter ID token check."""

import logging

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import provider
from .services import user_sign_in_from_claims

logger = logging.getLogger(__name__)

# Clock difference allowed between the provider and this server when checking exp and iat.
LEEWAY_SECONDS = 60


class IdentityProviderBackend(OIDCAuthenticationBackend):
    """Signs in whoever the provider vouches for, found by (issuer, sub).

    mozilla-django-oidc reads its endpoints from settings in __init__; Django builds every
    backend for every login attempt, the password login included, so here nothing is read
    until a callback from the provider actually arrives."""

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802 - the name the parent class reads
        return provider.config().token_endpoint

    @property
    def OIDC_OP_USER_ENDPOINT(self):  # noqa: N802
        return provider.config().userinfo_endpoint

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return provider.config().jwks_uri

    @property
    def OIDC_RP_CLIENT_ID(self):  # noqa: N802
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self):  # noqa: N802
        return settings.OIDC_RP_CLIENT_SECRET

    @property
    def OIDC_RP_SIGN_ALGO(self):  # noqa: N802
        return settings.OIDC_RP_SIGN_ALGO

    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if not provider.enabled() or request is None or "code" not in request.GET:
            return None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        """The signature and, unlike the parent, audience, issuer and lifetime: a token for
        another client, from another issuer or past its expiry is refused."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=provider.config().issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims (Entra ID puts groups and roles there), completed by the
        userinfo endpoint where the provider has one; the signed token wins a disagreement."""
        claims = {}
        if self.OIDC_OP_USER_ENDPOINT:
            claims.update(super().get_userinfo(access_token, id_token, payload))
            if str(claims.get("sub", payload["sub"])) != str(payload["sub"]):
                raise SuspiciousOperation("userinfo answered for another subject")
        claims.update(payload)
        return claims

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("no subject in the claims")
        return user_sign_in_from_claims(issuer=payload["iss"], claims=claims)
