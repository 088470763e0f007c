"""One settings file for every deployment, driven by environment variables.

DATABASE_URL   default sqlite:///var/gongkai.sqlite3 (PostgreSQL: postgres://user@host/db)
SECRET_KEY     required when DEBUG is off
DEBUG          "1" (default) or "0"
ALLOWED_HOSTS  comma-separated, default "127.0.0.1,localhost"
GONGKAI_VAR    directory for the SQLite file and uploads, default ./var
REDIS_URL      shared cache and sessions, e.g. redis://127.0.0.1:6379/0 (default: none)
S3_BUCKET      stored files in S3-compatible object storage (default: GONGKAI_VAR/media)
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
# Citizens' ID numbers are encrypted at rest (gongkai/personal_data.py, docs/security.md):
# PERSONAL_DATA_KEYS, comma-separated Fernet keys (the first encrypts, all decrypt), and
# PERSONAL_DATA_SEARCH_KEY for the exact-search digest. Required when DEBUG is off; with
# DEBUG on, keys derived from SECRET_KEY stand in.
_DEV_KEY = __import__("hashlib").sha256(f"personal-data\x00{SECRET_KEY}".encode()).digest()
PERSONAL_DATA_KEYS = [
    k.strip() for k in os.environ.get("PERSONAL_DATA_KEYS", "").split(",") if k.strip()
] or ([__import__("base64").urlsafe_b64encode(_DEV_KEY).decode()] if DEBUG else [])
PERSONAL_DATA_SEARCH_KEY = os.environ.get("PERSONAL_DATA_SEARCH_KEY", "") or (
    f"dev-search-{SECRET_KEY}" if DEBUG else ""
)
if not PERSONAL_DATA_KEYS or not PERSONAL_DATA_SEARCH_KEY:
    raise RuntimeError(
        "生产环境（DEBUG=0）必须设置环境变量 PERSONAL_DATA_KEYS 和 PERSONAL_DATA_SEARCH_KEY"
        "（身份证件号码的加密密钥和检索密钥，见 docs/security.md）。"
    )
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
    "gongkai.activities",
    "gongkai.agencies",
    "gongkai.annual",
    "gongkai.appeals",
    "gongkai.attachments",
    "gongkai.cases",
    "gongkai.inbox",
    "gongkai.intake",
    "gongkai.letters",
    "gongkai.library",
    "gongkai.ops",
    "gongkai.portal",
    "gongkai.publications",
    "gongkai.rectification",
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
                "gongkai.inbox.context_processors.inbox_count",
                "gongkai.agencies.context_processors.sections",
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
        # a kept connection is checked before a request reuses it: after a database
        # restart the next request reconnects instead of failing (issue 17)
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # the same backend, with a health check without a round trip (gongkai/ops/postgresql)
    DATABASES["default"]["ENGINE"] = "gongkai.ops.postgresql"

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
    SESSION_ENGINE = "gongkai.ops.sessions"  # cached_db with fewer round trips

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
# Uploaded files (applicants' ID scans among them) readable by the server's account only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Every stored file goes through Django's storage API (gongkai.attachments.storage).
# Default: the local directory MEDIA_ROOT with the permissions above. With S3_BUCKET:
# S3-compatible object storage (django-storages; AWS S3, MinIO, Ceph, 阿里云 OSS, 腾讯云 COS…)
# shared by every app server and the worker. Objects stay private (no ACL, no public
# URL): downloads are permission-checked and streamed through Django.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            # empty: boto3's own chain (AWS_ACCESS_KEY_ID, an instance role…)
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", "").strip("/"),
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }
else:
    _default_storage = {"BACKEND": "gongkai.attachments.storage.PrivateFileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Reports larger than this are refused with a Chinese message (年报体检 page).
REPORT_UPLOAD_MAX_BYTES = int(os.environ.get("REPORT_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = REPORT_UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = REPORT_UPLOAD_MAX_BYTES + 1024 * 1024
# Case attachments larger than this are refused with a Chinese message (attachments app).
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
# 年报体检 (public): each submitted report is read in a child process limited to
# REPORT_PARSE_MEMORY_MB of address space and REPORT_PARSE_SECONDS (gongkai.reports.sandbox);
# submissions per client address: REPORT_CHECKUP_RATE_LIMIT ("N/period", like INTAKE_RATE_LIMIT).
REPORT_PARSE_MEMORY_MB = int(os.environ.get("REPORT_PARSE_MEMORY_MB", "448"))
REPORT_PARSE_SECONDS = float(os.environ.get("REPORT_PARSE_SECONDS", "9"))
REPORT_CHECKUP_RATE_LIMIT = os.environ.get("REPORT_CHECKUP_RATE_LIMIT", "30/10m")
# 年报体检 reads scans (images, PDFs without text) by OCR only up to REPORT_OCR_ONLINE_PAGES
# pages (0: never), each allowed REPORT_OCR_PAGE_SECONDS in its child; longer scans are
# refused with a Chinese message pointing to `gongkai report check` (no limit there).
REPORT_OCR_ONLINE_PAGES = int(os.environ.get("REPORT_OCR_ONLINE_PAGES", "2"))
REPORT_OCR_PAGE_SECONDS = float(os.environ.get("REPORT_OCR_PAGE_SECONDS", "20"))

# Auth
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox:index"  # staff land on their own in-tray (我的待办)
LOGOUT_REDIRECT_URL = "/"
# 我的待办 warns about an online application left 待确认 longer than this many working
# days: no reply clock runs before the confirmation (Art. 31), so nothing else notices it.
GONGKAI_CONFIRM_WARNING_WORKDAYS = int(os.environ.get("GONGKAI_CONFIRM_WARNING_WORKDAYS", "3"))

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

# Accounts and transport security (issue 13; docs/security.md). One block: the lists
# above get their entries here.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "gongkai.accounts.middleware.AccountSecurityMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.csp")
# Lockout first: a locked account × address is refused before its password is tried.
AUTHENTICATION_BACKENDS = ["gongkai.accounts.backends.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "gongkai.accounts.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": 3},
    },
    {"NAME": "gongkai.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
# Days a password is good for; 0 (default): no expiry. Expired: sent to change it.
PASSWORD_EXPIRY_DAYS = int(os.environ.get("PASSWORD_EXPIRY_DAYS", "0"))
# Lockout: failures per account × address, and per address across accounts, in a window.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", str(15 * 60)))
# TOTP second factor: required for superusers, 系统管理员, 工作机构负责人 and 分管领导
# (default: in production, off under DEBUG so the demo logs in with passwords); for
# every other account with ACCOUNTS_OTP_REQUIRED_ALL=1.
ACCOUNTS_OTP_REQUIRED = env_bool("ACCOUNTS_OTP_REQUIRED", not DEBUG)
ACCOUNTS_OTP_REQUIRED_ALL = env_bool("ACCOUNTS_OTP_REQUIRED_ALL", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "gongkai")
# Session timeouts in seconds (0: off): idle, and since login whatever the activity.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(8 * 3600)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT or 8 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# HTTPS_ONLY=1 (production behind TLS): HSTS, redirect to https, Secure cookies.
# HTTPS_PROXY_HEADER=1: the reverse proxy sets X-Forwarded-Proto: https.
HTTPS_ONLY = env_bool("HTTPS_ONLY", False)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = 31536000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
# The preload flag in the header; submitting the domain to the list is a separate step.
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS_ONLY
if env_bool("HTTPS_PROXY_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production never prints mail to the console: without EMAIL_HOST, SMTP on localhost:25.
if not DEBUG and not os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": int(os.environ.get("EMAIL_PORT", "25"))},
        }
    }
# Content Security Policy (Django's own): scripts from our origin or with the page's
# nonce ({{ csp_nonce }}); no inline styles but the 500 page's (its hash).
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, "'sha256-SxRRJUI8E0DvSXwHUWoGAY32R7jjIOs/XhJ3yvnzH7E='"],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Request bodies over this are refused (413) before they are read (gongkai/wsgi.py);
# above every upload limit, so a file just over one still gets its Chinese message.
REQUEST_MAX_BYTES = int(os.environ.get("REQUEST_MAX_BYTES", 32 * 1024 * 1024))
# Operations (issue 17, gongkai.ops; docs/deploy.md): background tasks, health, metrics, logs.
# TASKS_BACKEND "database" (default: the queue is a table, no extra server), "rq" (Redis at
# REDIS_URL: any number of `gongkai worker` processes on any machines), "immediate" (tasks
# run inline). `gongkai worker` runs the queue and the periodic jobs (gongkai/ops/schedule.py).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
INSTALLED_APPS += ["django_tasks_db"]
if TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise RuntimeError("TASKS_BACKEND=rq 需要同时设置 REDIS_URL。")
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    raise RuntimeError(f"TASKS_BACKEND“{TASKS_BACKEND}”无效，应为 database、rq 或 immediate。")
# /metrics (Prometheus): from loopback always, elsewhere with "Authorization: Bearer <token>".
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
MIDDLEWARE.insert(0, "gongkai.ops.metrics.RequestMetrics")
# LOG_FORMAT "text" (default) or "json" (one JSON object a line, for log collectors).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "gongkai.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"gongkai.ops": {"level": "INFO"}},
}
# 行政复议/行政诉讼 (gongkai/appeals; docs/appeals.md). Where the law is unclear, a setting:
# - the 复议 answer's "十日"/"五日" are working days (行政复议法 2023 第八十八条第二款);
#   False counts calendar days with the holiday-end rule instead.
APPEALS_RECONSIDERATION_WORKDAYS = env_bool("APPEALS_RECONSIDERATION_WORKDAYS", True)
# - a 复议/诉讼 still pending at the end of a year counts in that year's table 四 as
#   尚未审结 and again, with its result, in the year it is decided ("carry"); "filed"
#   counts it only in the year it was brought.
APPEALS_CROSS_YEAR_RULE = os.environ.get("APPEALS_CROSS_YEAR_RULE", "carry")
# Read by the code with getattr (declared here so that every setting has one home; a
# test checks that each getattr(settings, …) is declared here and in the README).
# GONGKAI_COUNT_RECEIPT_DAY moves every deadline: 1 counts the receipt day itself as day 1
# when it is a working day (regulation.md §1.4); default 0, day 1 is the next working day.
GONGKAI_COUNT_RECEIPT_DAY = env_bool("GONGKAI_COUNT_RECEIPT_DAY", False)
INTAKE_UPLOAD_MAX_BYTES = int(os.environ.get("INTAKE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
INTAKE_CHALLENGE_MAX_AGE = int(os.environ.get("INTAKE_CHALLENGE_MAX_AGE", 2 * 3600))  # seconds
REGISTERS_IMPORT_MAX_BYTES = int(os.environ.get("REGISTERS_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
