"""Kesip settings.

Everything secret or deployment-specific comes from the environment. With no environment at all,
Kesip runs in development mode on an SQLite file next to the code, which is what `make run` uses.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
ROOT_DIR = BASE_DIR.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("KESIP_DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("KESIP_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("KESIP_SECRET_KEY must be set when KESIP_DEBUG is off")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("KESIP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("KESIP_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "kesip.core",
    "kesip.curriculum",
    "kesip.wbl",
    "kesip.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kesip.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kesip.urls"
WSGI_APPLICATION = "kesip.wsgi.application"

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
                "kesip.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{ROOT_DIR / 'var' / 'kesip.sqlite3'}",
        conn_max_age=int(os.environ.get("KESIP_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("KESIP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Languages: Kyrgyz is the default; the four UI languages.
LANGUAGE_CODE = "ky"
LANGUAGES = [
    ("ky", "Кыргызча"),
    ("ru", "Русский"),
    ("kk", "Қазақша"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Asia/Bishkek"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = ROOT_DIR / "var" / "static"
MEDIA_ROOT = Path(os.environ.get("KESIP_MEDIA_ROOT", ROOT_DIR / "var" / "media"))
MEDIA_URL = "media/"

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
KESIP_IMPORT_MAX_BYTES = 5 * 1024 * 1024
KESIP_IMPORT_MAX_ROWS = 5000
KESIP_PAGE_SIZE = 25

EMAIL_BACKEND = os.environ.get("KESIP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The address Kesip is served at, for links in e-mails sent outside a request.
KESIP_BASE_URL = os.environ.get("KESIP_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("KESIP_FROM_EMAIL", "kesip@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kesip.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kesip API",
    "DESCRIPTION": "Work-based learning, curriculum and quality information system for TVET institutions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets of the WBL models share field names (kind, status, form) with others: each gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "WblFormEnum": "kesip.wbl.models.agreements.WblForm",
        "WblPracticeTypeEnum": "kesip.wbl.models.agreements.PracticeType",
        "AgreementKindEnum": "kesip.wbl.models.agreements.Agreement.Kind",
        "AgreementStatusEnum": "kesip.wbl.models.agreements.Agreement.Status",
        "PlacementStatusEnum": "kesip.wbl.models.placements.Placement.Status",
        "PlacementConsentEnum": "kesip.wbl.models.placements.Placement.Consent",
        "CoordinatorConsentEnum": "kesip.wbl.models.placements.Placement.COORDINATOR_CONSENT_CHOICES",
        "OrderKindEnum": "kesip.wbl.models.orders.Order.Kind",
        "OrderStatusEnum": "kesip.wbl.models.orders.Order.Status",
        "WblProgrammeStatusEnum": "kesip.wbl.models.programmes.WblProgramme.Status",
        "AnnualReportStatusEnum": "kesip.wbl.models.reports.AnnualReport.Status",
        "ReportAgreementStatusEnum": "kesip.wbl.models.reports.ReportAgreement.Status",
        "LocalDocumentKindEnum": "kesip.wbl.models.employers.LocalDocument.Kind",
        "BriefingKindEnum": "kesip.wbl.models.placements.Briefing.Kind",
        "DiaryEntryStatusEnum": "kesip.wbl.models.diary.DiaryEntry.Status",
        "VolunteerStatusEnum": "kesip.wbl.models.placements.VolunteerRecognition.Status",
        "MeasureStatusEnum": "kesip.wbl.models.reports.ImprovementMeasure.Status",
        "LoadActivityEnum": "kesip.wbl.models.programmes.LoadRow.Activity",
        "EngagementDecisionEnum": "kesip.wbl.models.engagement.Decision",
        "IncentiveKindEnum": "kesip.wbl.models.engagement.Incentive.Kind",
        "MentorRequestKindEnum": "kesip.wbl.models.engagement.MentorRequest.Kind",
        "PartTimeWhenEnum": "kesip.wbl.models.engagement.PartTimeJob.When",
        "GraduateOutcomeEnum": "kesip.wbl.models.outcomes.GraduateEmployment.Outcome",
        "PlacementOutcomeEnum": "kesip.wbl.models.placements.Placement.Outcome",
        "GraduateAdaptationEnum": "kesip.wbl.models.outcomes.GraduateEmployment.Adaptation",
        "TrainingNeedStatusEnum": "kesip.wbl.models.outcomes.TrainingNeed.Status",
        "UpgradingResultEnum": "kesip.wbl.models.outcomes.UpgradingEnrolment.Result",
    },
}

# Security baseline. In production (DEBUG off) cookies are secure and HSTS is on.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("KESIP_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("KESIP_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KESIP_LOG_LEVEL", "WARNING")},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
