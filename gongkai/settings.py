"""One settings file for every deployment, driven by environment variables.

DATABASE_URL   default sqlite:///var/gongkai.sqlite3 (PostgreSQL: postgres://user@host/db)
SECRET_KEY     required when DEBUG is off
DEBUG          "1" (default) or "0"
ALLOWED_HOSTS  comma-separated, default "127.0.0.1,localhost"
GONGKAI_VAR    directory for the SQLite file and uploads, default ./var
REDIS_URL      shared cache and sessions, e.g. redis://127.0.0.1:6379/0 (default: none)
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGKAI_VAR", BASE_DIR / "var"))


def env_bool(name, default):
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


# Core
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("生产环境（DEBUG=0）必须设置环境变量 SECRET_KEY。")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
ROOT_URLCONF = "gongkai.urls"
WSGI_APPLICATION = "gongkai.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "gongkai.accounts",
    "gongkai.agencies",
    "gongkai.appeals",
    "gongkai.attachments",
    "gongkai.cases",
    "gongkai.intake",
    "gongkai.letters",
    "gongkai.portal",
    "gongkai.publications",
    "gongkai.registers",
    "gongkai.reports",
    "gongkai.supervision",
    "gongkai.workdays",
]

MIDDLEWARE = [
    # outermost: anonymous portal pages stored with every header the others add, and
    # served before anything else runs (pagecache.py; gongkai/wsgi.py serves them earlier)
    "gongkai.portal.pagecache.PageCache",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongkai" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongkai.workdays.context_processors.schedule_warning",
                "gongkai.supervision.context_processors.unread_notices",
            ],
        },
    },
]

# Database
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongkai.sqlite3'}"),
        conn_max_age=60,
    )
}

# Cache and sessions. With REDIS_URL (production, several server processes) the cache is
# shared: the intake rate limits count across processes, a published or withdrawn item
# clears every process's cached portal pages at once, and sessions live in Redis (no
# database write per session; a Redis restart signs users out). Without it: each
# process's memory, and sessions in the database.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "gongkai.rediscache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gongkai",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"

# Internationalisation: everything a user reads is Chinese.
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static files and uploads
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "gongkai" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# Reports larger than this are refused with a Chinese message (年报体检 page).
REPORT_UPLOAD_MAX_BYTES = int(os.environ.get("REPORT_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = REPORT_UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = REPORT_UPLOAD_MAX_BYTES + 1024 * 1024
# Case attachments larger than this are refused with a Chinese message (attachments app).
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))

# Auth
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Mail (issue 4 notices)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongkai@localhost")
# Deadline notices (`gongkai notify`): SMTP at EMAIL_HOST:EMAIL_PORT when EMAIL_HOST is
# set; otherwise printed to the console (development). Django 6.1 MAILERS.
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "25")),
            },
        }
        if os.environ.get("EMAIL_HOST")
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}

# Public portal /xxgk/ (issue 5): the agency shown at /xxgk/ (机关代码; empty: the first
# agency created) and how long anonymous list pages are cached per process (seconds).
PORTAL_AGENCY_CODE = os.environ.get("PORTAL_AGENCY_CODE", "")
PORTAL_CACHE_SECONDS = int(os.environ.get("PORTAL_CACHE_SECONDS", "30"))

# Online application /xxgk/apply/ and 查询 /xxgk/track/ (issue 5, gongkai.intake): limits
# "N/period" (s, m, h) per client address; INTAKE_RATE_LIMITS_ENABLED=0 turns them off (bench).
# X-Forwarded-For is read only from INTAKE_TRUSTED_PROXIES (comma-separated proxy addresses).
INTAKE_RATE_LIMIT = os.environ.get("INTAKE_RATE_LIMIT", "10/10m")
INTAKE_TRACK_RATE_LIMIT = os.environ.get("INTAKE_TRACK_RATE_LIMIT", "30/10m")
INTAKE_TRACK_NUMBER_LIMIT = os.environ.get("INTAKE_TRACK_NUMBER_LIMIT", "10/1h")
INTAKE_RATE_LIMITS_ENABLED = env_bool("INTAKE_RATE_LIMITS_ENABLED", True)
INTAKE_TRUSTED_PROXIES = [a for a in os.environ.get("INTAKE_TRUSTED_PROXIES", "").split(",") if a]
INTAKE_MIN_FILL_SECONDS = float(os.environ.get("INTAKE_MIN_FILL_SECONDS", "3"))

# Read by the code with getattr (declared here so that every setting has one home; a
# test checks that each getattr(settings, …) is declared here and in the README).
# GONGKAI_COUNT_RECEIPT_DAY moves every deadline: 1 counts the receipt day itself as day 1
# when it is a working day (regulation.md §1.4); default 0, day 1 is the next working day.
GONGKAI_COUNT_RECEIPT_DAY = env_bool("GONGKAI_COUNT_RECEIPT_DAY", False)
INTAKE_UPLOAD_MAX_BYTES = int(os.environ.get("INTAKE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
INTAKE_CHALLENGE_MAX_AGE = int(os.environ.get("INTAKE_CHALLENGE_MAX_AGE", 2 * 3600))  # seconds
REGISTERS_IMPORT_MAX_BYTES = int(os.environ.get("REGISTERS_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
