"""Settings for the test suite: the production settings with a test-only secret key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployed-site-0123456789")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's in-memory test database: in memory, threads share one cache and
    # its table locks fail at once instead of waiting, so the concurrency tests could not
    # show that the IMMEDIATE transactions serialise writers. One file per process.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"styrsystem-test-{os.getpid()}.sqlite3")
    }
