"""Settings for the test suite: the production settings, with a throwaway key
and a fast password hasher. ``DATABASE_URL`` still selects PostgreSQL."""

import os
import tempfile

os.environ.setdefault("ZHIFA_SECRET_KEY", "test-suite-only-key")
os.environ.setdefault("ZHIFA_DATA_DIR", tempfile.mkdtemp(prefix="zhifa-test-"))

from zhifa.conf.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory, so that tests with parallel writers see
    # real SQLite locking (BEGIN IMMEDIATE with a busy timeout).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
