import pytest

from zhifa.core.testing import PASSWORD, Builder


@pytest.fixture
def sysadmin(db):
    from zhifa.accounts.services import sysadmin_create

    return sysadmin_create(actor=None, username="root", password=PASSWORD)


@pytest.fixture
def build(sysadmin) -> Builder:
    return Builder(sysadmin)


@pytest.fixture
def county(build):
    return build.county()


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client logged in as ``user``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _ledger_files(settings, tmp_path):
    """Each test gets its own signing key, checkpoint and evidence directories, as
    each gets its own database: files left by one test must not meet another's
    ledger."""
    settings.ZHIFA_LEDGER_KEY_FILE = str(tmp_path / "keys" / "ledger.skey")
    settings.ZHIFA_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.ZHIFA_LEDGER_SIGNER_KEY = ""
    settings.ZHIFA_EVIDENCE_DIR = str(tmp_path / "evidence")
    settings.ZHIFA_EVIDENCE_BACKEND = "local"


@pytest.fixture
def live_dashboard(settings):
    """The supervisor dashboard counts live instead of serving its stored
    snapshot, for tests that change the data between two views of it."""
    settings.ZHIFA_SUPERVISION_SNAPSHOT_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, as it starts with its own database:
    SQLite reuses the ids of rolled-back rows, so a portal page cached under one
    test's publication mark could otherwise be served to the next test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def clock_on(monkeypatch):
    """``clock_on(day)``: from now on the case clock and the supervisor's counts
    believe today is ``day``; returns the stand-in for their ``timezone``."""
    import types

    from django.utils import timezone

    def move(day):
        import zhifa.supervision.watches
        from zhifa.cases import clock

        monkeypatch.setattr(clock, "today", lambda: day)
        shift = day - timezone.localdate()
        fake = types.SimpleNamespace(
            now=lambda: timezone.now() + shift,
            localdate=lambda: day,
            localtime=timezone.localtime,
            get_current_timezone=timezone.get_current_timezone,
        )
        monkeypatch.setattr(zhifa.supervision.watches, "timezone", fake)
        return fake

    return move
