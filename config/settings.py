"""Settings for the Plan 65-KH/TU dashboard.

Every value comes from the environment and has a safe default. With nothing set the project runs on the
embedded default: a SQLite file under ``var/``, Celery jobs executed in-process, no server to install.
Set ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` for the full stack; see README.md and docs/operations.md.
"""

import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Runtime data (SQLite file, uploads, generated reports, the local secret key) lives outside the web root
# and outside the repository's tracked files.
VAR_DIR = Path(env.str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _secret_key() -> str:
    """The key from the environment; otherwise one generated once for this machine and kept in var/."""
    key = env.str("DJANGO_SECRET_KEY", default="")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    "config.apps.AxesConfig",  # django-axes, its name in the admin translated
    # the project's apps, bottom layer first (docs/architecture.md; contracts in .importlinter)
    "core",
    "agencies",
    "indicators",
    "tasks",
    "oversight",
    "adjustments",
    "entry",
    "imports",
    "comments",
    "demo",
    "dashboards",
    "reports",
    "opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "config.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # the request a cached page was built for, so that a recompute can build it again ahead (core/prebuild.py)
    "core.prebuild.RequestsRemembered",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "config.middleware.CacheRequiredMiddleware",
    # after the session and the user: they are read from the primary before a page switches to the replica
    "config.middleware.ReplicaReadsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns failed log-ins into a lockout response.
    "axes.middleware.AxesMiddleware",
]
if env.bool("REQUEST_COST_LOG", default=False):  # each request's CPU time, logged (benchmarks/load.py)
    MIDDLEWARE.insert(0, "config.middleware.RequestCostMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "entry.context_processors.work_badges",
            ],
        },
    },
]

# Database: DATABASE_URL in any form dj-database-url/django-environ understands
# (sqlite:////abs/path.sqlite3, postgres://user:pass@host:5432/name).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

# A PostgreSQL streaming replica (a hot standby of the database above). With it set, dashboards, the open-data
# API and the public pages read from it; every write, a user's reads for REPLICA_STICKY_SECONDS after their own
# write, and every job read the primary. A replica that lags more than REPLICA_MAX_LAG_SECONDS, or does not
# answer, is left aside until it catches up: reads go to the primary and /readyz says so (core/replica.py).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"].setdefault("CONN_HEALTH_CHECKS", True)
    # a replica host that is down must cost a request seconds at most, once per check
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # tests read the test database through both names
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.PrimaryReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
# how often each process asks the replica how far behind it is (and tries again one that did not answer)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5.0)
# longer than the lag a usable replica may have plus the time between two checks, so that a user who has just
# written reads it back whichever node they reach
REPLICA_STICKY_SECONDS = env.int("REPLICA_STICKY_SECONDS", default=30)
# the apps whose GET pages read from the replica (any other page, and every POST, reads the primary)
REPLICA_READ_APPS = ["dashboards", "opendata"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "agencies.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with each request's user read from the cache (USER_CACHE_SECONDS)
    "agencies.backends.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "agencies.passwords.VietnameseMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed log-ins are throttled by django-axes: after AXES_FAILURE_LIMIT failures for one user name from one
# address, that pair is locked out for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a proxy the address is the one it vouches for (core/clients.py, the rule of NUM_PROXIES below), not the
# proxy's own; the user name is cut to the 255 characters axes keeps.
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
AXES_USERNAME_CALLABLE = "core.clients.attempted_username"

# Internationalisation: Vietnamese first, English as the second language.
LANGUAGE_CODE = "vi"
# Each language is named in itself, so a reader of either can find theirs.
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Off on purpose: with it on, every integer in a template (years, ids in URLs) would be grouped ("2.030").
# Figures are formatted where they are shown, with the `vn` template filter (indicators.parsing).
USE_THOUSAND_SEPARATOR = False
# dd/mm/yyyy dates, "1.200" and "0,75" numbers (config/formats/vi/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# After `collectstatic` (the production image runs it) files are served compressed with hashed names;
# before it (development, tests) WhiteNoise serves them straight from the source folders.
STATIC_COLLECTED = env.bool("DJANGO_STATIC_COLLECTED", default=(STATIC_ROOT / "staticfiles.json").exists())
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_COLLECTED

# Every stored file (uploads, evidence, kept import rows, generated and signed reports) goes through the default
# storage, never a path on disk (docs/architecture.md). It is private: files are only sent through a view that
# checks the user may see them. MEDIA_URL is deliberately unset: no web server serves these files directly.
# The embedded default keeps them in var/uploads, never under STATIC_ROOT. With AWS_STORAGE_BUCKET_NAME set they
# go to that bucket of an S3-compatible object store instead (django-storages), so that any web node and any
# worker reads what another stored (docs/scaling.md). `move_files_to_bucket` moves the files already on disk.
PRIVATE_MEDIA_ROOT = Path(env.str("DJANGO_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "uploads")))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="")
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL or None,
            # unset: boto3 looks further (its own environment variables, an instance's role)
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # stores other than AWS are addressed by path (http://store:8333/bucket/key): no wildcard DNS needed
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path" if AWS_S3_ENDPOINT_URL else "")
            or None,
            "signature_version": "s3v4",
            # keys under this prefix, so that one bucket may serve several sites
            "location": env.str("AWS_LOCATION", default=""),
            # no ACL sent: objects take the bucket's, which must be private (docs/scaling.md)
            "default_acl": None,
            # like the disk: a second file of the same name gets a new name, it never replaces the first
            "file_overwrite": False,
            # a link to an object, should one ever be made, is signed and expires in 5 minutes
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            # a file read back (an import, a report to send) is held in memory up to this size, then in /tmp
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_COLLECTED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Spreadsheet imports (indicators/imports): files over this size are refused before they are parsed.
# the audit trail is read record by record (core.workflow.audit_history): no index on its dates alone
SIMPLE_HISTORY_DATE_INDEX = False

IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# ... and refused before parsing when they would unpack or hold more than this (imports/reading.py): a 7,6 MB
# xlsx of 400 000 inline strings otherwise takes a web worker for a minute
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=400_000)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=5_000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=60 * 1024 * 1024)
# Files up to this size are checked and written within the request (a second or less); larger ones by a
# Celery job, the batch page showing its progress (docs/import-export.md). 0: every file goes to a job.
IMPORT_BACKGROUND_BYTES = env.int("IMPORT_BACKGROUND_BYTES", default=64 * 1024)
# A running import job that has reported no progress for this long is shown as failed and may be re-run.
IMPORT_JOB_STALE_MINUTES = env.int("IMPORT_JOB_STALE_MINUTES", default=10)
# An upload left unconfirmed (or refused, or failed) this many days is deleted from private storage; the batch
# stays in the list, "expired", with who uploaded what and when (imports.batches.import_batches_expire, nightly).
IMPORT_UNCONFIRMED_DAYS = env.int("IMPORT_UNCONFIRMED_DAYS", default=30)
# Absolute address of the site, for links in e-mails sent outside a request (imported users' reset links).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
FILE_UPLOAD_PERMISSIONS = 0o640

# Redis serves as Celery's broker and result store and as Django's cache on the full stack.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # fails soft (core/cache.py): with Redis down, pages and the API answer, unthrottled, instead of 500
    CACHES = {"default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": REDIS_URL}}
    # CACHE_KEY_PREFIX keeps sites sharing one Redis apart; parallel test processes (pytest-xdist) get one each,
    # so their throttle counters and job locks never meet
    CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default=os.environ.get("PYTEST_XDIST_WORKER", ""))
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Dashboard pages are cached as rendered blocks on the snapshot generation (core/snapshots.py) for this long.
# Off by default without Redis: an in-memory cache is per process, and a command run in another process (a
# recompute from the command line) could not make the web process's copy stale.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=3600 if REDIS_URL else 0)
# With Redis, a request reads its session and its user from the cache, not PostgreSQL (agencies/backends.py,
# core/sessions.py); a cached page then costs no query at all. Off without Redis, for the same reason as above:
# a log-out or a deactivation in one process could not reach another process's memory.
SESSION_ENGINE = "core.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
USER_CACHE_SECONDS = env.int("USER_CACHE_SECONDS", default=300 if REDIS_URL else 0)

# Celery: with no broker configured, jobs run in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None) or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
# the queue jobs go to and workers take them from; like CACHE_KEY_PREFIX, parallel test processes (pytest-xdist)
# get one each, so that one process's real worker never takes another's job (against the other's database)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default=os.environ.get("PYTEST_XDIST_WORKER") or "celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# Nobody reads a job's return value (what a job does is in the database): a job queued with results kept first
# subscribes to it in Celery's Redis result store, which with Redis down retried 20 × 1 s and then raised, holding
# a user's approval for ~19 s and answering 500. Tests that wait on a result ask for it (``ignore_result=False``).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A dead broker must cost a user's request at most about a second (core.jobs.enqueue gives up, the work is
# recorded in the database and caught up later), never Celery's default ~20 s of retries.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 2
# A worker stopped (SIGTERM: a deploy, a scale-down) finishes the jobs it runs before it exits (Celery's warm
# shutdown); one killed outright leaves its job unacknowledged and another worker runs it (ACKS_LATE above).
# Beat: with Redis, the schedule and a leader lock live in Redis (celery-redbeat), so however many nodes start
# beat exactly one sends the jobs; the others wait for the lock and take over within a few minutes if that one
# dies. Without Redis (the embedded default) Celery's own file scheduler.
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_KEY_PREFIX = env.str("REDBEAT_KEY_PREFIX", default="redbeat:")
    # beat wakes at least this often; the lock expires after five times it, and a waiting beat tries as often
    CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("BEAT_MAX_LOOP_INTERVAL", default=30)
    CELERY_REDBEAT_LOCK_TIMEOUT = CELERY_BEAT_MAX_LOOP_INTERVAL * 5
# Periodic jobs (Celery beat) are listed in config/celery.py beside the app that runs them.
# Jobs take a cache lock so that two runs of one job never overlap (Redis on the full stack, LocMem embedded): a
# lease of this many seconds, renewed by the running job (core/jobs.py), so that a worker killed while holding it
# blocks the next run for at most this long.
JOB_LOCK_SECONDS = env.int("JOB_LOCK_SECONDS", default=60)
# On the full stack, the statuses of the figures approved within this many seconds are recomputed in one run (and
# the pages showing them rebuilt once, not once per approval): an approval counts on the dashboards this much later.
RECOMPUTE_COALESCE_SECONDS = env.float("RECOMPUTE_COALESCE_SECONDS", default=2.0)
# Reminders: e-mail an agency's users this many days before a task or report falls due, and once overdue.
REMINDER_DAYS_BEFORE = env.int("REMINDER_DAYS_BEFORE", default=7)
# Days after a period's deadline before the nightly job locks it; late entry then needs the reviewer to reopen.
PERIOD_LOCK_GRACE_DAYS = env.int("PERIOD_LOCK_GRACE_DAYS", default=5)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bảng theo dõi Kế hoạch 65-KH/TU <no-reply@localhost>")

# Production hardening. DJANGO_SECURE=true behind HTTPS turns on every `check --deploy` recommendation.
SECURE = env.bool("DJANGO_SECURE", default=False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
# Proxies of our own in front of gunicorn, whose X-Forwarded-For entries are trusted (default 1 behind a proxy, else
# 0): the client's address is the entry the outermost of them wrote (core.clients.client_address), for the log-in
# lockout and the API throttle alike; a client cannot vary the header to escape either. Never publish gunicorn's
# port past the proxy while this is above 0 (docker-compose.yml binds it to the host's loopback).
NUM_PROXIES = env.int("DJANGO_NUM_PROXIES", default=1 if env.bool("DJANGO_BEHIND_PROXY", default=False) else 0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_PROXY", default=False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and everything else from this site only; no inline script
# (the pickers submit through static/js/autosubmit.js, the charts' data is a JSON block). Inline styles stay
# allowed because Plotly writes its own <style> and style attributes while drawing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the site never uses, turned off (config.middleware.PermissionsPolicyMiddleware). Only features
# browsers know: an unknown one ("bluetooth") costs a console warning on every page and turns nothing off.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_AGE", default=8 * 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # each cached block built, with its time (benchmarks/load.py reads them)
        "core.snapshots.builds": {"level": env.str("SNAPSHOT_BUILD_LOG", default="WARNING")},
        "config.requests": {"level": "DEBUG" if env.bool("REQUEST_COST_LOG", default=False) else "WARNING"},
        # pyHanko logs each path it tries while validating a signature (expected failures, with tracebacks)
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

# The plan shipped with the product and the commune/ward list loaded by `load_plan`.
PLAN_FIXTURE = BASE_DIR / "fixtures" / "plan_65_kh_tu.yaml"
AGENCIES_FIXTURE = BASE_DIR / "fixtures" / "agencies.yaml"
LOCALITIES_FIXTURE = BASE_DIR / "fixtures" / "localities_hung_yen.csv"

# Reporting regime (Decree 09/2019/NĐ-CP): days after a period's window closes by which reports are due.
REPORT_DUE_DAYS = {
    "month": env.int("REPORT_DUE_DAYS_MONTH", default=5),
    "quarter": env.int("REPORT_DUE_DAYS_QUARTER", default=10),
    "half_year": env.int("REPORT_DUE_DAYS_HALF_YEAR", default=15),
    "year": env.int("REPORT_DUE_DAYS_YEAR", default=20),
}

# A province value summed, averaged or divided from agencies' figures carries its coverage (n of N expected
# reporters); below this share it is marked "chưa đủ cơ quan báo cáo" on every surface (docs/progress-method.md).
PROVINCE_COVERAGE_MIN_PERCENT = env.float("PROVINCE_COVERAGE_MIN_PERCENT", default=80.0)
if not 0 <= PROVINCE_COVERAGE_MIN_PERCENT <= 100:
    raise ImproperlyConfigured(
        f"PROVINCE_COVERAGE_MIN_PERCENT={PROVINCE_COVERAGE_MIN_PERCENT} must be a percentage from 0 to 100"
    )

# Periodic reports (reports/): the letterhead of the Steering Committee's report (Party layout, 36-HD/VPTW),
# and whether to add a PDF made by LibreOffice headless when `soffice` is installed.
REPORT_PLACE = env.str("REPORT_PLACE", default="Hưng Yên")
REPORT_PARENT_BODY = env.str("REPORT_PARENT_BODY", default="TỈNH ỦY HƯNG YÊN")
REPORT_ISSUING_BODY = env.str(
    "REPORT_ISSUING_BODY",
    default="BAN CHỈ ĐẠO VỀ PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ, ĐỔI MỚI SÁNG TẠO VÀ CHUYỂN ĐỔI SỐ",
)
REPORT_SYMBOL = env.str("REPORT_SYMBOL", default="BCĐ")
REPORT_SIGNER_CAPACITY = env.str("REPORT_SIGNER_CAPACITY", default="T/M BAN CHỈ ĐẠO")
REPORT_SIGNER_TITLE = env.str("REPORT_SIGNER_TITLE", default="TRƯỞNG BAN")
REPORT_SIGNER_NAME = env.str("REPORT_SIGNER_NAME", default="")
REPORT_RECIPIENTS = [
    "- Ban Chỉ đạo Trung ương (để báo cáo),",
    "- Thường trực Tỉnh ủy (để báo cáo),",
    "- Các thành viên Ban Chỉ đạo tỉnh,",
    "- Các sở, ban, ngành, địa phương,",
    "- Lưu Văn phòng Tỉnh ủy.",
]
REPORT_PDF_ENABLED = env.bool("REPORT_PDF_ENABLED", default=True)
# Digital signatures of issued reports (reports/signing.py, docs/report-signatures.md). Each issuing body signs
# with its own key, given with `manage.py signing_key_set` (kept in private storage, its password encrypted);
# a body without one issues unsigned. One certificate for the whole site signed every agency's reports as the
# Party office: that setting is refused rather than silently ignored.
if env.str("REPORT_SIGNING_P12", default=""):
    raise ImproperlyConfigured(
        "REPORT_SIGNING_P12 is no longer read: each issuing body has its own key. Register the Steering "
        "Committee's with `manage.py signing_key_set bcd FILE.p12 --password-file FILE` (docs/report-signatures.md)"
        " and unset REPORT_SIGNING_P12 and REPORT_SIGNING_PASSWORD."
    )
# An RFC 3161 time-stamping authority: signatures get a trusted time and the certificates' revocation data
# (PAdES B-LT), so they can be checked after the certificate expires. Unset: PAdES B-B, said on the report page.
REPORT_TSA_URL = env.str("REPORT_TSA_URL", default="")
# Root certificates (PEM bundle) trusted besides the roots of the bodies' own certificate chains: the TSA's, and
# the CAs whose signatures the verification page accepts.
REPORT_TRUST_ROOTS = env.str("REPORT_TRUST_ROOTS", default="")
if REPORT_TRUST_ROOTS and not Path(REPORT_TRUST_ROOTS).is_file():
    raise ImproperlyConfigured(f"REPORT_TRUST_ROOTS={REPORT_TRUST_ROOTS} is not a readable file")
# The Steering Committee's standing office (an agency code): its name may stand in the certificate of the key
# that signs the province's report.
REPORT_STANDING_OFFICE = env.str("REPORT_STANDING_OFFICE", default="vp-tu")
# The public page that checks an uploaded report (/xac-thuc-bao-cao/): largest file, uploads per address.
REPORT_VERIFY_MAX_BYTES = env.int("REPORT_VERIFY_MAX_BYTES", default=20 * 1024 * 1024)
REPORT_VERIFY_RATE = env.str("REPORT_VERIFY_RATE", default="30/hour")

# Open data (opendata/api.py, opendata/views.py): read-only JSON/CSV API and the public page. Turned
# off, both require a log-in (the API) or answer 404 (the page).
PUBLIC_DATA_ENABLED = env.bool("PUBLIC_DATA_ENABLED", default=True)
OPEN_DATA_THROTTLE_ANON = env.str("OPEN_DATA_THROTTLE_ANON", default="60/min")
OPEN_DATA_THROTTLE_USER = env.str("OPEN_DATA_THROTTLE_USER", default="600/min")
# The open data's licence, publisher and contact, as the catalogue (DCAT JSON-LD), the Data Package and the
# catalogue page state them. CC BY 4.0 unless configured.
OPEN_DATA_LICENSE_NAME = env.str("OPEN_DATA_LICENSE_NAME", default="CC-BY-4.0")
OPEN_DATA_LICENSE_TITLE = env.str("OPEN_DATA_LICENSE_TITLE", default="CC BY 4.0 (Creative Commons Ghi công 4.0)")
OPEN_DATA_LICENSE_URL = env.str("OPEN_DATA_LICENSE_URL", default="https://creativecommons.org/licenses/by/4.0/")
OPEN_DATA_PUBLISHER = env.str("OPEN_DATA_PUBLISHER", default="Văn phòng Tỉnh ủy Hưng Yên")
OPEN_DATA_CONTACT_EMAIL = env.str("OPEN_DATA_CONTACT_EMAIL", default="")
INSTALLED_APPS += ["rest_framework", "drf_spectacular"]
# Permissions, throttles, pagination and renderers of the open-data API sit on its views (opendata/api.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "opendata.api.open_data_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dữ liệu mở – Kế hoạch 65-KH/TU tỉnh Hưng Yên",
    "DESCRIPTION": "Dữ liệu chỉ đọc: kế hoạch, chỉ tiêu, mục tiêu, nhiệm vụ, số liệu đã phê duyệt và tình trạng.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["opendata.api.OpenDataPermission"],
    "COMPONENT_SPLIT_REQUEST": True,
}
