"""Settings for the test suite: the production settings with a test-only secret key."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployed-site-0123456789")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's in-memory test database: in memory, threads share one cache and
    # its table locks fail at once instead of waiting, so the concurrency tests could not
    # show that the IMMEDIATE transactions serialise writers. One file per process.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"styrsystem-test-{os.getpid()}.sqlite3")
    }

# Background tasks run inline in the tests (reporting/tests/test_library.py runs one test on
# RQ over Redis with its own settings).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Generated files (reports) of a test run go to a folder of their own, never to media/,
# unless a test names one (the backup test restores into a folder it chooses).
MEDIA_ROOT = (
    Path(os.environ["MEDIA_ROOT"])
    if os.environ.get("MEDIA_ROOT")
    else Path(tempfile.gettempdir()) / f"styrsystem-test-media-{os.getpid()}"
)

# The open pages' rate limit counts per address in the cache, and every test client comes
# from 127.0.0.1: off here, on in the tests of the limit itself (public/tests).
PUBLIC_RATE_LIMIT_PER_MINUTE = 0
