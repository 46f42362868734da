"""Settings for the test suite: the production settings with a test-only secret key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployed-site-0123456789")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
