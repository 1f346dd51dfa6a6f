"""RefProgram settings, read from the environment with safe development defaults.

PostgreSQL only. No DATABASE_URL: an embedded PostgreSQL in .pgdata/ (refprogram.embedded_db).
No REDIS_URL: Celery runs tasks eagerly in-process. DEBUG is off unless set; with DEBUG off the app
refuses to start without SECRET_KEY.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # Development (DEBUG) and the code-only management commands (which sign nothing and serve
    # nothing) get a throwaway key; serving the app needs a real one (the test run sets its own,
    # refprogram.settings_test).
    code_only = Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] in (
        ["makemigrations"],
        ["showmigrations"],
        ["spectacular"],
        ["help"],
    )
    if DEBUG or code_only:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment (or DEBUG=1 for development)."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "refprogram",  # shared template filters (refprogram/templatetags), no models
    # Before django.contrib.auth: its ``changepassword`` command replaces Django's, so a password
    # changed from the shell also revokes the user's API tokens (accounts.services).
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "django_countries",  # its translations of country names
    # The second factor for password log-ins (accounts/second_factor.py): authenticator-app codes
    # (TOTP) and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "references",
    "ledger",
    "approvals",
    "requests_app",
    "integrations",
    "reporting",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "refprogram.middleware.RequestIdMiddleware",
    "refprogram.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language) among LANGUAGES; a person's profile overrides it
    # (PersonalPreferencesMiddleware, after authentication).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session's second factor
    "refprogram.middleware.PersonalPreferencesMiddleware",
    "refprogram.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a lockout into the log-in page with the reason (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "refprogram.urls"
WSGI_APPLICATION = "refprogram.wsgi.application"

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
                "accounts.context_processors.navigation",
                "accounts.context_processors.terms",
                "django.template.context_processors.i18n",
            ],
            # {% translate %} and {% blocktranslate %} in every template without {% load i18n %}.
            "builtins": ["django.templatetags.i18n"],
        },
    },
]

# PostgreSQL only: DATABASE_URL (production, CI), or the embedded server in .pgdata/ (development).
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from refprogram.embedded_db import database_settings

    DATABASES = {"default": database_settings()}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("RefProgram runs on PostgreSQL only: DATABASE_URL must be postgres://…")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# JIT compilation costs 50-600 ms on the ranking and capacity queries and never pays back on
# queries that return one page.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Every password a person sets (createuser, changepassword, the admin) passes these: at least 12
# characters, not like the user name or email, not a common password, not all digits.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "refprogram.security.LoginLockoutBackend",  # refuses locked-out log-ins first (django-axes)
    "accounts.oidc.SSOOnlyPasswordGate",  # SSO_ONLY: no passwords but the break-glass admin
    "django.contrib.auth.backends.ModelBackend",
    "accounts.oidc.RoleMappingBackend",  # single sign-on (OpenID Connect), when OIDC_ISSUER is set
]
# Single sign-on with the company's identity provider (accounts/oidc.py; README "Single sign-on").
# Off unless OIDC_ISSUER and OIDC_RP_CLIENT_ID are set; endpoints come from the issuer's discovery.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")  # "Sign in with <this>"
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_ROLE_CLAIM = env.str("OIDC_ROLE_CLAIM", default="groups")
# group:role pairs, most powerful first: "refprogram-managers:manager,refprogram-sales:sales"
OIDC_ROLE_MAP = env.str("OIDC_ROLE_MAP", default="")
SSO_ONLY = env.bool("SSO_ONLY", default=False)
SSO_BREAK_GLASS_USERNAME = env.str("SSO_BREAK_GLASS_USERNAME", default="")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The company's language: the interface's language for people whose profile and browser name
# none of LANGUAGES, and for contacts whose country's language is not one of them.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
# The interface's languages (catalogs in locale/, compiled at install: scripts/bootstrap.sh).
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The currency the program's amounts are in (opportunity and outcome amounts), an ISO 4217 code.
PROGRAM_CURRENCY = env.str("PROGRAM_CURRENCY", default="USD")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Email: console in development, SMTP when EMAIL_URL is set.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="refprogram@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous call a 401, not a 403.
        "refprogram.authentication.TokenAuthentication",  # knox's, in the person's language
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "refprogram.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON-only request bodies (multipart for uploads), shared error responses: refprogram.schema.
    "DEFAULT_SCHEMA_CLASS": "refprogram.schema.AutoSchema",
    "EXCEPTION_HANDLER": "refprogram.api.exception_handler",
    # Our JSON parser answers absurdly deep nesting with a 400 instead of a recursion error.
    "DEFAULT_PARSER_CLASSES": [
        "refprogram.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # JSON only; the browsable API (HTML forms over every endpoint) only while developing.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RefProgram API",
    "DESCRIPTION": "Customer reference program: inventory, requests, matching, approvals, usage, metrics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # 3.1: nullable objects are `oneOf: [{$ref}, {type: null}]`, not `nullable` beside `allOf`.
    "OAS_VERSION": "3.1.0",
    # Operation ids and tags without the version prefix: `customers_list`, tag `customers`.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Error components, typed filters, summaries, blank e-mail addresses (refprogram.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "refprogram.schema.postprocess",
    ],
    # One name per code set shared by several fields (API.md "codes used everywhere").
    "ENUM_NAME_OVERRIDES": {
        "SeniorityEnum": "references.choices.Seniority",
        "ConsentScopeEnum": "references.choices.ConsentScope",
        "ConsentMethodEnum": "references.choices.ConsentMethod",
        "ScopeEnum": "approvals.choices.Channel",  # an approval's scope (its name before consents)
        "ProfileStatusEnum": "references.choices.ProfileStatus",
        "NominationStatusEnum": "references.choices.NominationStatus",
        "ApprovalStatusEnum": "approvals.choices.ApprovalStatus",
        "RequestStatusEnum": "requests_app.choices.RequestStatus",
        "CandidateStateEnum": "requests_app.choices.CandidateState",
        "UsageStatusEnum": "ledger.choices.UsageStatus",
        "WebhookEventEnum": "integrations.choices.WebhookEvent",
        "CriterionFieldEnum": "requests_app.choices.CriterionField",
        "UrgencyEnum": "requests_app.choices.Urgency",
        "OutcomeResultEnum": "requests_app.choices.OutcomeResult",
        "SizeBandEnum": "references.choices.SizeBand",
        "DeploymentEnum": "references.choices.Deployment",
    },
}

# Celery: Redis in production; without REDIS_URL tasks run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# How often beat recomputes the dashboard's opening view (0: never; then the first viewer waits).
METRICS_WARM_SECONDS = env.int("METRICS_WARM_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "nightly-checks": {"task": "references.tasks.nightly_checks_run", "schedule": crontab(hour=2, minute=0)},
}
if METRICS_WARM_SECONDS > 0:
    CELERY_BEAT_SCHEDULE["metrics-warm"] = {
        "task": "reporting.tasks.metrics_warm",
        "schedule": float(METRICS_WARM_SECONDS),
        "options": {"expires": float(METRICS_WARM_SECONDS)},  # a late run is skipped, not stacked
    }
# A web request that queues a task gives up quickly when Redis is down (refprogram.tasks_util.enqueue
# logs it; the nightly run does the work), instead of hanging the page.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING below (JSON in production)
# Outbound webhooks refuse private, loopback and link-local targets (SSRF) unless this is set: for
# receivers inside the company network, and for tests.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
# CRM sync (integrations.crm): secrets only from the environment, never in the database. The
# connections themselves (on/off, URL, mapping) are rows edited on /integrations/ or in the admin.
SALESFORCE_CLIENT_ID = env.str("SALESFORCE_CLIENT_ID", default="")
SALESFORCE_CLIENT_SECRET = env.str("SALESFORCE_CLIENT_SECRET", default="")  # client-credentials flow
SALESFORCE_USERNAME = env.str("SALESFORCE_USERNAME", default="")  # JWT bearer flow: the run-as user
SALESFORCE_PRIVATE_KEY_FILE = env.str("SALESFORCE_PRIVATE_KEY_FILE", default="")  # JWT bearer: PEM file
SALESFORCE_PRIVATE_KEY = env.str("SALESFORCE_PRIVATE_KEY", default="", multiline=True)
# The JWT bearer flow's audience; sandboxes: https://test.salesforce.com
SALESFORCE_JWT_AUDIENCE = env.str("SALESFORCE_JWT_AUDIENCE", default="")
HUBSPOT_ACCESS_TOKEN = env.str("HUBSPOT_ACCESS_TOKEN", default="")  # the private app's token
CRM_SYNC_MINUTES = env.int("CRM_SYNC_MINUTES", default=15)  # beat's incremental sync (0: never)
if CRM_SYNC_MINUTES > 0:
    CELERY_BEAT_SCHEDULE["crm-sync"] = {
        "task": "integrations.tasks.crm_sync_scheduled",
        "schedule": float(CRM_SYNC_MINUTES * 60),
        "options": {"expires": float(CRM_SYNC_MINUTES * 60)},  # a late run is skipped, not stacked
    }
# Slack (integrations/slack): the app's bot token and signing secret; empty: Slack is off. The Web
# API's address is Slack's own unless a test points it at a local server.
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="")
SLACK_SIGNING_SECRET = env.str("SLACK_SIGNING_SECRET", default="")
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api/")
# The address people open RefProgram at (https://refs.example.com), for links in messages sent
# outside a web request (Slack); empty: links are relative where they can be.
SITE_URL = env.str("SITE_URL", default="")

# --- Hardening: cache, throttling, log-in lockout, cookies, headers, content-security policy ---

HTTPS = env.bool("HTTPS", default=False)
# Behind a TLS-terminating proxy: the header it sets, e.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto.
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# How many proxies append to X-Forwarded-For in front of the app (0: use the socket's address, so
# a client cannot pick its own address to dodge the lockout and the throttles).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Throttle counters must be shared by every gunicorn worker: Redis when there is one. Redis being
# down only turns the cache off for a moment (refprogram.cache); the test run uses local memory
# (refprogram.settings_test).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "refprogram.cache.ResilientRedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "refprogram",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "refprogram"}
    }

# How long the dashboard's figures are reused for the same period and segment (0: always fresh).
METRICS_CACHE_SECONDS = env.int("METRICS_CACHE_SECONDS", default=120)
# When several views miss the same figures at once, one computes; the others wait this long for it.
METRICS_CACHE_WAIT_SECONDS = env.float("METRICS_CACHE_WAIT_SECONDS", default=8.0)

REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "rest_framework.throttling.AnonRateThrottle",
    "rest_framework.throttling.UserRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": env.str("THROTTLE_ANON_RATE", default="300/min"),
    "user": env.str("THROTTLE_USER_RATE", default="2000/min"),
    # POST /api/v1/auth/token/: per username and address (refprogram.security.LoginRateThrottle).
    "auth-token": env.str("THROTTLE_TOKEN_RATE", default="10/min"),
}
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT or None

# API tokens (django-rest-knox): stored as digests, sent as `Authorization: Token <key>`, valid for
# API_TOKEN_HOURS; revoked by DELETE /api/v1/auth/token/, a password change or deactivation.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_HOURS", default=10)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# django-axes: 5 failed log-ins for one username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying: 20 failed log-ins from one address, across any user names, within the lockout
# window lock that address out for every user name (refprogram.security.LoginLockoutHandler).
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_HANDLER = "refprogram.security.LoginLockoutHandler"
AXES_RESET_ON_SUCCESS = True
# A row per failed log-in (and whether it locked the account out), for the audit log.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "refprogram.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["password"]
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# The second factor for password log-ins (accounts/second_factor.py): administrators must set one up
# (on unless DEBUG, so the demo's printed logins work as printed); everyone else may. Single sign-on
# log-ins never ask: the identity provider vouches for the person. Wrong codes count toward the
# lockout above; django-otp's own slow-down is off so that one rule (axes) refuses, in one message.
OTP_REQUIRED_FOR_ADMINS = env.bool("OTP_REQUIRED_FOR_ADMINS", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="RefProgram")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the Django admin never shows an authenticator's secret

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)  # a working day, then log in again
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG and HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # pages send the token from the template (hx-headers), never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load-balancer probes often speak plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-security policy (django-csp): own scripts, styles and images only; no inline script or
# style anywhere. The API docs pages (Swagger UI, Redoc) relax styles for themselves only (urls.py).
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
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        **({"upgrade-insecure-requests": True} if HTTPS else {}),
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Logs go to stdout: JSON lines in production (LOG_FORMAT=json, the default without DEBUG),
# plain text in development; every line carries the request id (refprogram.logging).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "refprogram.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "refprogram.logging.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "refprogram.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # pgserver (the embedded development database) reports every handle it lets go at INFO.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "pgserver": {"level": "WARNING"}},
}
