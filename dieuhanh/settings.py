"""Settings for dieuhanh.

Everything that differs between the embedded default (SQLite, local files, huey on SQLite) and production
(PostgreSQL, Redis, S3-compatible storage) is read from environment variables; see README "Configuration".
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    return int(os.environ.get(name, default))


BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("DIEUHANH_VAR_DIR", BASE_DIR.parent / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DIEUHANH_DEBUG", False)
# The demo and tests run without a configured key; a real installation must set one.
SECRET_KEY = os.environ.get("DIEUHANH_SECRET_KEY", "dev-only-insecure-key-change-me")
ALLOWED_HOSTS = [h for h in os.environ.get("DIEUHANH_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DIEUHANH_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "ninja",  # serves the API docs (Swagger UI) from its own static files instead of a CDN
    "dieuhanh.kernel",
    "dieuhanh.audit",
    "dieuhanh.accounts",
    "dieuhanh.units",
    "dieuhanh.notifications",
    "dieuhanh.documents",
    "dieuhanh.processing",
    "dieuhanh.tasks",
    "dieuhanh.signatures",
    "dieuhanh.drafting",
    "dieuhanh.digitization",
    "dieuhanh.gateway",
    "dieuhanh.exchange",
    "dieuhanh.search",
    "dieuhanh.records",
    "dieuhanh.projects",
    "dieuhanh.intake",
    "dieuhanh.reorg",
    "dieuhanh.reports",
    "dieuhanh.site",
    "dieuhanh.operations",
]

MIDDLEWARE = [
    "dieuhanh.kernel.metrics.RequestMetricsMiddleware",
    "dieuhanh.kernel.api_errors.ApiAnswersJsonMiddleware", "dieuhanh.kernel.dbguard.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "dieuhanh.accounts.middleware.StrictTransportSecurityMiddleware",
    "dieuhanh.kernel.middleware.SecurityHeadersMiddleware",
    "dieuhanh.kernel.zones.NetworkZoneMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dieuhanh.kernel.middleware.LanguageMiddleware",
    "dieuhanh.kernel.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dieuhanh.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dieuhanh.kernel.middleware.IdOutOfRangeMiddleware",
]

ROOT_URLCONF = "dieuhanh.site.urls"
CSRF_FAILURE_VIEW = "dieuhanh.site.views.csrf_failure"
WSGI_APPLICATION = "dieuhanh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- Database: SQLite by default, anything dj-database-url understands via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dieuhanh.sqlite3'}"),
        conn_max_age=env_int("DIEUHANH_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a writer holds the lock; IMMEDIATE avoids lock upgrades that deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs tens of milliseconds per query and pays off only for long analytical queries;
    # a search whose estimate looks large (many candidates, few read) would pay it on every page.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background jobs: huey on SQLite by default, on Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY = {
    "name": "dieuhanh",
    "immediate": env_bool("DIEUHANH_HUEY_IMMEDIATE", False),
    "utc": True,
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# /metrics: with a token set, only "Authorization: Bearer <token>"; without one, only from the local machine.
DIEUHANH_METRICS_TOKEN = os.environ.get("DIEUHANH_METRICS_TOKEN", "")

# --- Files: local disk by default, S3-compatible storage when DIEUHANH_S3_BUCKET is set
# (needs the optional django-storages[s3] package).
MEDIA_ROOT = Path(os.environ.get("DIEUHANH_MEDIA_ROOT", VAR_DIR / "media"))
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Assets are vendored in the package and served by the app itself: no CDN, no separate collect step needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("DIEUHANH_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["DIEUHANH_S3_BUCKET"],
            "endpoint_url": os.environ.get("DIEUHANH_S3_ENDPOINT_URL"),
        },
    }

# --- Accounts and sign-in.
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Idle sessions expire; every request renews the expiry.
SESSION_COOKIE_AGE = env_int("DIEUHANH_SESSION_SECONDS", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DIEUHANH_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HSTS once the site is on HTTPS (secure cookies say so); sent on every response, since TLS usually ends at the
# proxy and browsers ignore it over plain HTTP (decision 0028). 0 turns it off.
SECURE_HSTS_SECONDS = env_int("DIEUHANH_HSTS_SECONDS", 365 * 24 * 3600) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Lockout: after this many consecutive failures a username is refused for the lockout period.
DIEUHANH_LOGIN_MAX_FAILURES = env_int("DIEUHANH_LOGIN_MAX_FAILURES", 5)
DIEUHANH_LOGIN_LOCKOUT_SECONDS = env_int("DIEUHANH_LOGIN_LOCKOUT_SECONDS", 900)
DIEUHANH_API_TOKEN_DAYS = env_int("DIEUHANH_API_TOKEN_DAYS", 30)
# Two-factor authentication (TOTP): required for these roles when enforced. The demo server turns enforcement off.
DIEUHANH_2FA_ENFORCED = env_bool("DIEUHANH_2FA_ENFORCED", True)
DIEUHANH_2FA_ROLES = os.environ.get("DIEUHANH_2FA_ROLES", "leader,deputy,clerk,unit_admin,system_admin").split(",")
# OpenID Connect single sign-on (decision 0024): off unless an issuer and a client id are set. Identities map to
# existing active accounts by one claim; a sign-in counts as two-factor only when the provider asserts it.
DIEUHANH_OIDC_ISSUER = os.environ.get("DIEUHANH_OIDC_ISSUER", "")
DIEUHANH_OIDC_CLIENT_ID = os.environ.get("DIEUHANH_OIDC_CLIENT_ID", "")
DIEUHANH_OIDC_CLIENT_SECRET = os.environ.get("DIEUHANH_OIDC_CLIENT_SECRET", "")
DIEUHANH_OIDC_SCOPES = os.environ.get("DIEUHANH_OIDC_SCOPES", "openid profile email")
DIEUHANH_OIDC_USERNAME_CLAIM = os.environ.get("DIEUHANH_OIDC_USERNAME_CLAIM", "preferred_username")
DIEUHANH_OIDC_MFA_AMR = [v for v in os.environ.get("DIEUHANH_OIDC_MFA_AMR", "mfa,otp").split(",") if v]
DIEUHANH_OIDC_MFA_ACR = [v for v in os.environ.get("DIEUHANH_OIDC_MFA_ACR", "").split(",") if v]

# --- Mail: the console by default (the demo prints mails); SMTP when DIEUHANH_EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("DIEUHANH_EMAIL_HOST", "")
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                 else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = env_int("DIEUHANH_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DIEUHANH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DIEUHANH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DIEUHANH_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DIEUHANH_EMAIL_FROM", "dieuhanh@localhost")
DIEUHANH_EMAIL_NOTIFICATIONS = env_bool("DIEUHANH_EMAIL_NOTIFICATIONS", True)
DIEUHANH_BASE_URL = os.environ.get("DIEUHANH_BASE_URL", "http://127.0.0.1:8000")

# --- Processing and tasks.
DIEUHANH_DUE_SOON_DAYS = env_int("DIEUHANH_DUE_SOON_DAYS", 2)  # working days before a deadline
DIEUHANH_MAX_EXTENSIONS = env_int("DIEUHANH_MAX_EXTENSIONS", 2)
DIEUHANH_MAX_EXTENSION_DAYS = env_int("DIEUHANH_MAX_EXTENSION_DAYS", 30)

# --- Network zones: requests from these networks are on the closed network; all others are the internet zone,
# where documents marked Mật or above are refused. Behind a reverse proxy listed in DIEUHANH_TRUSTED_PROXIES, the
# proxy's DIEUHANH_ZONE_HEADER ("closed" or anything else) decides instead.
DIEUHANH_CLOSED_NETWORKS = os.environ.get(
    "DIEUHANH_CLOSED_NETWORKS", "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16").split(",")
DIEUHANH_TRUSTED_PROXIES = [p for p in os.environ.get("DIEUHANH_TRUSTED_PROXIES", "").split(",") if p]
DIEUHANH_ZONE_HEADER = os.environ.get("DIEUHANH_ZONE_HEADER", "X-Network-Zone")

# --- Digital signatures (PAdES). TSA: "" (none), "local" (the demo's own time-stamp authority) or an RFC 3161
# URL on the closed network. Trust roots: the anchors in the database plus these PEM files.
DIEUHANH_TSA_URL = os.environ.get("DIEUHANH_TSA_URL", "")
DIEUHANH_TRUST_ROOTS = [p for p in os.environ.get("DIEUHANH_TRUST_ROOTS", "").split(",") if p]
# Dotted path of a callable (credential, data, digest_algorithm) -> signature bytes for keys on USB tokens or a
# remote signing service; see docs/signatures.md.
DIEUHANH_EXTERNAL_SIGNER = os.environ.get("DIEUHANH_EXTERNAL_SIGNER", "")
DIEUHANH_SERVER_KEY_PASSPHRASE = os.environ.get("DIEUHANH_SERVER_KEY_PASSPHRASE", "")
DIEUHANH_SOFFICE = os.environ.get("DIEUHANH_SOFFICE", "")

# --- Audit checkpoints and encryption at rest (decision 0020).
# Ed25519 key (base64 of 32 bytes, `dieuhanh audit keygen`) that signs the hourly audit checkpoints; when empty
# (demo, tests), a key derived from DIEUHANH_SECRET_KEY. Earlier public keys stay trusted when listed here.
DIEUHANH_AUDIT_SIGNING_KEY = os.environ.get("DIEUHANH_AUDIT_SIGNING_KEY", "")
# append-only file outside the database with each chain's signed head (decision 0036)
DIEUHANH_AUDIT_ANCHOR_FILE = os.environ.get("DIEUHANH_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchor.jsonl"))
DIEUHANH_AUDIT_TRUSTED_KEYS = [k for k in os.environ.get("DIEUHANH_AUDIT_TRUSTED_KEYS", "").split(",") if k]
# AES-256-GCM key (base64 of 32 bytes) for stored files; when empty, new files are stored in plain.
DIEUHANH_FILE_KEY = os.environ.get("DIEUHANH_FILE_KEY", "")

# --- Exchange gateway between installations (decision 0049). JSON in the environment. Routes: a list of
# {"prefix": "000.00.00.", "url": "folder:///dir" | "https://peer/api/v1/gateway/inbox" | "amqp://...?queue=q"}, the
# longest prefix wins. Peers: {installation_id: public key PEM or path of a PEM file}. Inbound: the folders
# ("folder:///dir") and AMQP queues this installation reads. The signing key is made under DIEUHANH_VAR_DIR.
DIEUHANH_INSTALLATION_ID = os.environ.get("DIEUHANH_INSTALLATION_ID", "local")
DIEUHANH_GATEWAY_ROUTES = json.loads(os.environ.get("DIEUHANH_GATEWAY_ROUTES", "") or "[]")
DIEUHANH_GATEWAY_PEERS = json.loads(os.environ.get("DIEUHANH_GATEWAY_PEERS", "") or "{}")
DIEUHANH_GATEWAY_INBOUND = json.loads(os.environ.get("DIEUHANH_GATEWAY_INBOUND", "") or "[]")
# Intake (issue 17, decision 0050): the official mailbox an intake Source names by its settings key ("default"
# here); credentials only from the environment. More mailboxes: DIEUHANH_INTAKE_MAILBOXES as JSON {key: {...}}.
DIEUHANH_INTAKE_MAILBOXES = json.loads(os.environ.get("DIEUHANH_INTAKE_MAILBOXES", "") or "{}")
if os.environ.get("DIEUHANH_INTAKE_IMAP_HOST"):
    DIEUHANH_INTAKE_MAILBOXES["default"] = {
        "host": os.environ["DIEUHANH_INTAKE_IMAP_HOST"],
        "port": int(os.environ.get("DIEUHANH_INTAKE_IMAP_PORT", "0") or 0),
        "ssl": os.environ.get("DIEUHANH_INTAKE_IMAP_SSL", "1") == "1",
        "user": os.environ.get("DIEUHANH_INTAKE_IMAP_USER", ""),
        "password": os.environ.get("DIEUHANH_INTAKE_IMAP_PASSWORD", ""),
        "folder": os.environ.get("DIEUHANH_INTAKE_IMAP_FOLDER", "INBOX"),
    }
# a dropped file is taken in once it has not changed for this many seconds (a scanner may still be writing it)
DIEUHANH_INTAKE_SETTLE_SECONDS = float(os.environ.get("DIEUHANH_INTAKE_SETTLE_SECONDS", "10"))

# --- Language: Vietnamese first, English switchable.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("DIEUHANH_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DIEUHANH_LOG_LEVEL", "WARNING")},
    # pyHanko logs every failed check at ERROR; the outcome is stored and shown, so the log stays quiet.
    "loggers": {name: {"level": "CRITICAL"} for name in ("pyhanko", "pyhanko_certvalidator", "fontTools")},
}
