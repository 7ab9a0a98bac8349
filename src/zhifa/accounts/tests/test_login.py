from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from zhifa.accounts.models import LoginAttempt
from zhifa.core.testing import PASSWORD
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _post(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_in_chinese(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录行政执法工作台" in response.content.decode()


def test_successful_login_shows_the_home_and_is_recorded(client, county):
    username = county.market_admin.username
    response = _post(client, username, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("accounts:home")
    assert "本机关概况" in client.get(reverse("accounts:home")).content.decode()
    assert LoginAttempt.objects.filter(username=username, succeeded=True).exists()
    assert LedgerEntry.objects.filter(action="login.success").exists()


def test_wrong_password_is_refused_in_chinese(client, county):
    response = _post(client, county.market_admin.username, "wrong-password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert LedgerEntry.objects.filter(action="login.failure").exists()


def test_lockout_after_repeated_failures(client, county, settings):
    username = county.market_admin.username
    for _ in range(settings.ZHIFA_LOGIN_MAX_FAILURES):
        _post(client, username, "wrong-password")
    # Now even the right password is refused until the lock ends.
    response = _post(client, username, PASSWORD)
    assert response.status_code == 200
    assert "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session

    # The lock ends after the configured minutes.
    LoginAttempt.objects.update(
        attempted_at=LoginAttempt.objects.first().attempted_at
        - timedelta(minutes=settings.ZHIFA_LOGIN_LOCKOUT_MINUTES + 1)
    )
    assert _post(client, username, PASSWORD).status_code == 302


@override_settings(ZHIFA_LOGIN_MAX_FAILURES=2)
def test_lockout_threshold_is_configuration(client, county):
    username = county.market_admin.username
    _post(client, username, "wrong-1")
    assert _post(client, username, PASSWORD).status_code == 302
    client.logout()
    _post(client, username, "wrong-2")
    _post(client, username, "wrong-3")
    assert "已被锁定" in _post(client, username, PASSWORD).content.decode()


def test_a_success_in_between_resets_the_count(client, county, settings):
    username = county.market_admin.username
    for _ in range(settings.ZHIFA_LOGIN_MAX_FAILURES - 1):
        _post(client, username, "wrong-password")
    assert _post(client, username, PASSWORD).status_code == 302
    client.logout()
    _post(client, username, "wrong-password")
    assert _post(client, username, PASSWORD).status_code == 302


def test_logout_needs_post_and_ends_the_session(client_for, county):
    client = client_for(county.market_admin)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302
    assert LedgerEntry.objects.filter(action="logout").exists()


def test_session_idle_timeout_is_configuration(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_demo_logins_appear_only_in_demo_mode(client, settings):
    settings.DEMO = False
    assert "演示账号" not in client.get(LOGIN).content.decode()
    settings.DEMO = True
    assert "演示账号" in client.get(LOGIN).content.decode()
