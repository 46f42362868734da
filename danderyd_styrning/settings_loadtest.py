"""make loadtest's settings: the production settings, and PostgreSQL logging every lock wait.

log_lock_waits writes a line to the server's log for each wait longer than deadlock_timeout
(here 100 ms); both are set for the load test's connections only, through the connection's
options (the load test connects as a superuser, which these settings need).
"""

from .settings import *  # noqa: F403
from .settings import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c log_lock_waits=on -c deadlock_timeout=100ms"
    )
