"""The provider's claims (groups from Django groups, as Entra ID sends its groups claim) and
the faults a test can switch on: an expired ID token, or one signed with a key not published."""

import base64
from datetime import timedelta

from django.utils import timezone
from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

# Switched by POST /test/fault/ (urls.py); one provider process serves one test session.
FAULT = {"id_token": ""}
OTHER_KEY = jwk.JWK.generate(kty="RSA", size=2048)


class TestProviderValidator(OAuth2Validator):
    # Every claim in the ID token and at userinfo, whatever the scope (groups has none).
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        if FAULT["id_token"] == "expired":
            claims["exp"] = int((timezone.now() - timedelta(hours=1)).timestamp())
        return claims, expiration_time

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        if FAULT["id_token"] != "wrong-key":
            return signed
        # The same header (kid of the published key) and claims, signed with another key.
        header, claims = (
            base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()
            for part in signed.split(".")[:2]
        )
        forged = jwt.JWT(header=header, claims=claims)
        forged.make_signed_token(OTHER_KEY)
        return forged.serialize()
