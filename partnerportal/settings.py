"""Partnerportal settings: one module, read from the environment.

Development (the default) needs no set-up at all: SQLite under ``var/``, the
database task backend, e-mail printed to the console. Production
(``PARTNERPORTAL_ENV=production``) refuses to start without a real secret key
and encryption key; see README "Production".
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

ENVIRONMENT = env.str("PARTNERPORTAL_ENV", default="development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("PARTNERPORTAL_ENV must be 'development' or 'production'.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105 (development only; production refuses it)
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("Production needs SECRET_KEY: at least 50 random characters.")

# MultiFernet keys for secrets at rest, newest first; rotating means prepending.
_DEV_ENCRYPTION_KEY = "ZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1zZWNyZXQtMzI="  # base64 of a public 32-byte string
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[] if PRODUCTION else [_DEV_ENCRYPTION_KEY])
if PRODUCTION and (not ENCRYPTION_KEYS or _DEV_ENCRYPTION_KEY in ENCRYPTION_KEYS):
    raise ImproperlyConfigured("Production needs ENCRYPTION_KEYS (Fernet keys, comma-separated).")

# The main portal's host names (Django's ALLOWED_HOSTS syntax: "portal.example.com", ".example.com").
# Resellers' portal hosts come from their portal templates and change while the server runs, so Django
# itself accepts every host and portal.middleware.PortalHostMiddleware, listed first, refuses (400) any
# host that is neither one of these nor a template's host (docs/operations.md, "Portal hosts").
MAIN_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not MAIN_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS: the main portal's host names.")
ALLOWED_HOSTS = ["*"]
# How long a process may keep the list of portal hosts; saving or deleting a template clears it at once.
PORTAL_HOSTS_CACHE_SECONDS = 60

# The portal's own public address. Links in e-mails are built from it, never from
# the request's Host header (password-reset poisoning).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "core.apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "core.apps.TwoFactorDevicesConfig",
    "core.apps.LoginProtectionConfig",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "csp",
    "django_tasks",
    "core.apps.BackgroundJobsConfig",
    "ninja",
    "core",
    "users",
    "accounts",
    "audit",
    "customers",
    "contracts",
    "products",
    "access",
    "hosting",
    "portal",
    "partners",
    "support",
    "profiles",
]

MIDDLEWARE = [
    # Before the host check, so that refused hosts are logged and timed too; neither reads the Host header.
    "core.logs.RequestLogMiddleware",
    "core.metrics.RequestMetricsMiddleware",
    "portal.middleware.PortalHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PortalCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.locale.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.PortalSessionMiddleware",
    "core.middleware.NoStoreForUsersMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.ActorMiddleware",
    "access.middleware.ServiceAccessMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "access.middleware.ServiceAccessGuardMiddleware",
    "portal.middleware.PortalServiceAccessMiddleware",
    "audit.middleware.DeniedActionMiddleware",
    "axes.middleware.AxesMiddleware",
]
if PRODUCTION:
    # Static files from the web processes themselves, hashed, compressed and cached for ever (no separate
    # static server, the reverse proxy only forwards); right after SecurityMiddleware, as WhiteNoise asks.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "partnerportal.urls"
WSGI_APPLICATION = "partnerportal.wsgi.application"
ASGI_APPLICATION = "partnerportal.asgi.application"

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
                "core.context_processors.portal",
                "accounts.context_processors.account_switcher",
                "access.context_processors.service_access",
                "portal.context_processors.portal_template",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'partnerportal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE transactions make SQLite take the write lock at BEGIN, so
    # check-then-write services cannot interleave; WAL lets readers go on.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # A database host that swallows packets fails a request (and /healthz) in seconds, not after the system's
    # TCP timeout; the URL's own ?connect_timeout= wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# Persistent connections on both: opening a SQLite connection (Django registers its
# functions, then the PRAGMAs run) costs about 0.5 ms, a PostgreSQL one far more.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "users.backends.UsernameOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "users:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "users:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Login throttling: per (username, IP) and, with a higher bar, per IP. A wrong
# password from one place never locks the user out everywhere else.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.25  # hours
# One user from one address; a whole address (an office behind one NAT) has its own, much higher limit
# (users.views.LOGIN_FAILURES_PER_IP), so one person's typos never lock out their colleagues.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_FAILURES_PER_IP = env.int("LOGIN_FAILURES_PER_IP", default=100)
AXES_RESET_ON_SUCCESS = True
# A lock ends AXES_COOLOFF_TIME after it began; attempts while it holds do not start it again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "portal.views.lockout"
AXES_USERNAME_CALLABLE = "users.backends.axes_username"
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0) or None
AXES_VERBOSE = False

# Django's database store, in every environment. Its cached variant (cached_db) pays only where the cache
# is faster than the database: the development cache is Django's database cache (it would read the cache
# table instead of the session table and write every change to both), and the tests use locmem (they would
# run a path that development does not). With CACHE_REDIS, production would save one read by primary key
# per request, but a session ended by deleting its row would live on in Redis until it expired.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
# Uploads (customer-import files, logos) go through Django's default storage only, so several web machines can
# share an S3-compatible bucket instead of a local MEDIA_ROOT (docs/operations.md, "Uploaded files").
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
_MEDIA_STORAGES = {
    "filesystem": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # django-storages is not a dependency: `pip install django-storages[s3]` where it is used. Without keys,
    # boto3 looks for credentials itself (instance role, ~/.aws).
    "s3": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            key: value
            for key, value in {
                "bucket_name": env.str("S3_BUCKET", default=""),
                "endpoint_url": env.str("S3_ENDPOINT_URL", default=""),
                "region_name": env.str("S3_REGION", default=""),
                "access_key": env.str("S3_ACCESS_KEY_ID", default=""),
                "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=""),
                "location": env.str("S3_PREFIX", default=""),
                # The portal serves logos itself and reads imports in its workers; nothing is public.
                "default_acl": "private",
                "file_overwrite": False,
            }.items()
            if value != ""
        },
    },
}
if MEDIA_STORAGE not in _MEDIA_STORAGES:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be one of {sorted(_MEDIA_STORAGES)}.")
if MEDIA_STORAGE == "s3" and not env.str("S3_BUCKET", default=""):
    raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
STORAGES = {
    "default": _MEDIA_STORAGES[MEDIA_STORAGE],
    "staticfiles": {
        "BACKEND": (
            # Hashed names (cached for ever) and gzipped copies (Brotli too where the brotli package is
            # installed) that WhiteNoise serves as they are.
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# E-mail: EMAIL_URL like smtp://user:pass@host:587 or smtp+tls://…; console in development.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Partnerportal <noreply@partnerportal.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where "Kontakt" in the portal sends support requests.
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="support@partnerportal.test")

# Background work. The database backend needs nothing else; RQ on Redis scales
# out to any number of worker machines (docs/operations.md).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": []}}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    # "periodic" holds the sweep, the server check and the usage warnings that RQ's cron scheduler enqueues
    # (hosting/rq_cron.py). They are plain RQ jobs, so a worker without django_tasks_rq's job class runs them.
    RQ_QUEUES = {"default": {"URL": REDIS_URL}, "periodic": {"URL": REDIS_URL}}

# A shared cache keeps rate limits correct across processes.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer fails a request (and /healthz) in seconds instead of holding it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if env.bool("CACHE_REDIS", default=False)
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache"}
    )
}

# Security headers. No third-party origin anywhere: everything is served from 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The reverse proxy asks over loopback whether to get a certificate (docs/operations.md); a redirect to https
# would read as "no" for every portal host. The answer is yes or no about a public host name.
SECURE_REDIRECT_EXEMPT = [r"^portal-hosts/tls-ask/$", r"^healthz$", r"^metrics$"]
# The bearer token Prometheus sends for /metrics; without one, /metrics does not exist (docs/operations.md).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole registrable domain for months and is hard to
        # undo, so it is the operator's explicit choice (SECURE_HSTS_PRELOAD=true).
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are bound to exactly this host: no Domain, Path=/, Secure.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
USE_X_FORWARDED_HOST = False

DJANGO_TABLES2_TEMPLATE = "core/table.html"
FILTERS_EMPTY_CHOICE_LABEL = _("All")
DJANGO_TABLES2_PAGE_RANGE = 8


# One JSON object a line in production (LOG_FORMAT=json elsewhere), readable text in development. Every record
# of a request carries its request id, user and account, every record of a task its name (core.logs).
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "core.logs.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # One line per request; runserver writes its own in development.
        "partnerportal.request": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
# Every @paginate list bounds limit and offset (a huge offset was a 500 from the database).
NINJA_PAGINATION_CLASS = "core.api.Pagination"

# Plesk servers on loopback or private networks (the sandbox, a provider's internal
# network) are refused in production unless the operator allows them explicitly.
PLESK_ALLOW_PRIVATE_HOSTS = env.bool("PLESK_ALLOW_PRIVATE_HOSTS", default=not PRODUCTION)
# The same for the SMTP servers resellers enter for their portal's mail.
MAIL_ALLOW_PRIVATE_HOSTS = env.bool("MAIL_ALLOW_PRIVATE_HOSTS", default=not PRODUCTION)
# Connect and send timeout, in seconds, for resellers' SMTP servers.
PORTAL_MAIL_TIMEOUT = env.int("PORTAL_MAIL_TIMEOUT", default=15)
