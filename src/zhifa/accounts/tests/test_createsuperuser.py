"""``zhifa createsuperuser`` makes the first administrator through the ledger."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from zhifa.ledger.models import LedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.req("ORG-01")]


def test_the_first_administrator_is_a_ledger_entry(monkeypatch):
    monkeypatch.setenv("ZHIFA_ADMIN_PASSWORD", "Zf-一号管理员-2026!")
    call_command("createsuperuser", "--noinput", "--username", "guanliyuan")
    user = get_user_model().objects.get(username="guanliyuan")
    assert user.is_superuser and user.check_password("Zf-一号管理员-2026!")
    assert LedgerEntry.objects.filter(action="sysadmin.create", object_id=str(user.pk)).exists()


def test_a_second_one_is_refused_and_changes_nothing(monkeypatch):
    monkeypatch.setenv("ZHIFA_ADMIN_PASSWORD", "Zf-一号管理员-2026!")
    call_command("createsuperuser", "--noinput", "--username", "guanliyuan")
    entries = LedgerEntry.objects.count()
    with pytest.raises(CommandError, match="系统管理员已存在"):
        call_command("createsuperuser", "--noinput", "--username", "dierge")
    assert not get_user_model().objects.filter(username="dierge").exists()
    assert LedgerEntry.objects.count() == entries


def test_a_weak_password_or_no_password_is_refused(monkeypatch):
    monkeypatch.setenv("ZHIFA_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="密码不符合要求"):
        call_command("createsuperuser", "--noinput", "--username", "guanliyuan")
    monkeypatch.delenv("ZHIFA_ADMIN_PASSWORD")
    with pytest.raises(CommandError, match="ZHIFA_ADMIN_PASSWORD"):
        call_command("createsuperuser", "--noinput", "--username", "guanliyuan")
    assert not get_user_model().objects.filter(username="guanliyuan").exists()
