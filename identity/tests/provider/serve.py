"""Start the test provider: python -m identity.tests.provider.serve PORT DATABASE RP_URL

Makes an RS256 key, creates the tables in a fresh SQLite file, registers the relying party
(confidential client, PKCE required, consent skipped) and two users, then serves on
127.0.0.1:PORT."""

import os
import sys


def main() -> None:
    port, database, rp_url = sys.argv[1], sys.argv[2], sys.argv[3].rstrip("/")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["PROVIDER_RSA_KEY"] = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    os.environ["PROVIDER_PORT"] = port
    os.environ["PROVIDER_DB"] = database
    os.environ["DJANGO_SETTINGS_MODULE"] = "identity.tests.provider.settings"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)

    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    for username, first, last in [("anna", "Anna", "Andersson"), ("bertil", "Bertil", "Berg")]:
        User.objects.create_user(
            username=username,
            password=f"{username}-losen",
            email=f"{username}@kommun.example",
            first_name=first,
            last_name=last,
        )
    Application.objects.create(
        name="Styrsystem",
        client_id="styrsystem",
        client_secret="styrsystem-hemlighet",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=f"{rp_url}/oidc/callback/",
        post_logout_redirect_uris=f"{rp_url}/accounts/utloggad/",
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, verbosity=0)


if __name__ == "__main__":
    main()
