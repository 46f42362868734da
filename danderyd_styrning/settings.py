"""Settings for Styrsystem, read from the environment (see README, "Settings")."""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see README, 'Settings')."
        )
    # Development only: never used with DEBUG off.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mptt",
    "simple_history",
    "import_export",
    # Third-party apps the admin shows, under Swedish names (danderyd_styrning/apps.py).
    "danderyd_styrning.apps.AxesConfig",
    "django_tasks",
    "danderyd_styrning.apps.TasksDatabaseConfig",
    "goals",
    "reporting",
    "ops",
    "quality",
    "governance",
    "internal_control",
    "followup",
    "demo",
    "identity",
    "public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 405 for PUT, PATCH, DELETE, TRACE…: no view handles them (after SecurityMiddleware, so
    # the answer still carries its headers and the HTTPS redirect).
    "danderyd_styrning.middleware.AllowedMethodsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the Swedish lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Login protection (django-axes): after AXES_FAILURE_LIMIT failed logins for the same user
# name from the same address, that pair is locked out for AXES_COOLOFF_TIME. Per pair, not
# per address alone, because a municipality's staff often share one outgoing address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0"))

# Content-Security-Policy (django-csp): only the project's own vendored files; no inline
# script or style, no CDN, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "danderyd_styrning.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "danderyd_styrning.context_processors.frame",
            ],
        },
    },
]

WSGI_APPLICATION = "danderyd_styrning.wsgi.application"

# DATABASE_URL selects the database; without it a SQLite file in the project folder.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue
    # instead of one failing halfway with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # years must read 2026; amounts use floatformat:"g"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Generated reports (reporting.GeneratedReport) are stored under MEDIA_ROOT/reports/. They are
# served only through the report library's download view (permission + checksum), never
# from MEDIA_URL: nothing in urls.py serves MEDIA_ROOT.
# The open pages for residents at /oppet/ (public app): off unless PUBLIC_PAGES is set; off,
# every /oppet/ URL answers 404. They show only what is published.
PUBLIC_PAGES = env_bool("PUBLIC_PAGES", False)
# Requests per minute one address may make to /oppet/ before it gets 429 (public/limits.py),
# and how many seconds a rendered open page is kept (a new publication shows at once).
PUBLIC_RATE_LIMIT_PER_MINUTE = env_int("PUBLIC_RATE_LIMIT_PER_MINUTE", 120)
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 600)
# Anonymous visitors may read published reports when REPORTS_PUBLIC is on (offentlighetsprincipen).
# With the open pages on it follows them unless set: their report list links to the library.
REPORTS_PUBLIC = env_bool("REPORTS_PUBLIC", PUBLIC_PAGES)
# A queued or running report that has not finished after this many minutes counts as lost
# (e.g. no worker ran): asking again for the same content starts it anew.
REPORT_STALE_MINUTES = env_int("REPORT_STALE_MINUTES", 30)
# Uploaded governing documents (styrdokument): PDF only, at most this many MB; stored under
# MEDIA_ROOT/styrdokument/ and served only through the document's download view.
GOVERNING_DOCUMENT_MAX_MB = env_int("GOVERNING_DOCUMENT_MAX_MB", 10)

# Background tasks (Django's Tasks API through the django-tasks backport). Default: the
# database backend, whose worker is `manage.py db_worker` (`make run` starts it beside the
# web server). REPORT_TASKS_BACKEND=rq runs the same tasks on RQ workers over Redis
# (`manage.py rqworker --job-class django_tasks_rq.Job`); "immediate" runs them inline.
REPORT_TASKS_BACKEND = os.environ.get("REPORT_TASKS_BACKEND", "database").strip().lower()
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env_int("RQ_JOB_TIMEOUT", 1800)}}
if REPORT_TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif REPORT_TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("danderyd_styrning.apps.RqConfig")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif REPORT_TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(
        f"REPORT_TASKS_BACKEND must be database, rq or immediate, not {REPORT_TASKS_BACKEND!r}."
    )

MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Danderyds kommun")
# Kolada (RKA's database of municipal key figures): outcomes for indicators with a KPI id.
KOLADA_MUNICIPALITY_ID = os.environ.get("KOLADA_MUNICIPALITY_ID", "0162")
KOLADA_BASE_URL = os.environ.get("KOLADA_BASE_URL", "https://api.kolada.se/v2")
KOLADA_TIMEOUT_SECONDS = env_int("KOLADA_TIMEOUT_SECONDS", 20)
# Links in e-mail notices point here. `make run` sets it from HOST and PORT; in production it
# is SITE_URL, or https:// and the first of ALLOWED_HOSTS when SITE_URL is not set.
SITE_URL = os.environ.get("SITE_URL", "").strip()
if not SITE_URL:
    if DEBUG:
        SITE_URL = "http://{}:{}".format(
            os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
        )
    elif ALLOWED_HOSTS and ALLOWED_HOSTS[0] not in {"*", ""}:
        SITE_URL = "https://" + ALLOWED_HOSTS[0].lstrip(".")

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "styrsystem@localhost")

# Production hardening: on by default whenever DEBUG is off (README explains each).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Sessions end after SESSION_IDLE_MINUTES without a request (the clock restarts on each).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "60")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is the municipality IT's decision (README, "Production check"): while it is
# off, its reminder (security.W021) is silenced so that check --deploy stays clean.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that always sets this header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SIMPLE_HISTORY_REVERT_DISABLED = True

# Single sign-on through the municipality's identity provider (OpenID Connect, authorization
# code flow with PKCE; identity/ and README "Inloggning med kommunens konto (Entra ID)"). On
# when OIDC_DISCOVERY_URL and OIDC_RP_CLIENT_ID are set. LOCAL_LOGIN=0 turns the password login
# off (production with SSO only); it stays on by default, for the demo.
OIDC_DISCOVERY_URL = os.environ.get("OIDC_DISCOVERY_URL", "").strip()
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_ENABLED = bool(OIDC_DISCOVERY_URL and OIDC_RP_CLIENT_ID)
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", True)
if not LOCAL_LOGIN and not OIDC_ENABLED:
    raise ImproperlyConfigured(
        "LOCAL_LOGIN=0 needs OIDC_DISCOVERY_URL and OIDC_RP_CLIENT_ID: nobody could sign in."
    )
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
# A first sign-in whose user name a local account already has is refused unless this is on;
# then that account is linked to the provider's subject from then on.
OIDC_LINK_EXISTING_USERS = env_bool("OIDC_LINK_EXISTING_USERS", False)
OIDC_ACCESS_CONTACT = os.environ.get(
    "OIDC_ACCESS_CONTACT", "kommunens systemförvaltare för Styrsystem"
)
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the RP-initiated logout
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_DISCOVERY_CACHE_SECONDS = env_int("OIDC_DISCOVERY_CACHE_SECONDS", 3600)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    *(["django.contrib.auth.backends.ModelBackend"] if LOCAL_LOGIN else []),
    "identity.auth.IdentityProviderBackend",
]
if OIDC_ENABLED:
    # The logout form's POST is answered with a redirect to the provider's end-session
    # endpoint; browsers apply form-action to that redirect too.
    _idp = urlsplit(OIDC_DISCOVERY_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_idp.scheme}://{_idp.netloc}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
