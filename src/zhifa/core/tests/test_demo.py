import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import uscc

from zhifa.accounts.models import Agency, Credential, Officer
from zhifa.cases.models import Case, Procedure, Stage
from zhifa.catalogues.models import Matter
from zhifa.core.demo import DEMO_LOGINS, DEMO_PASSWORD
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import ledger_verify

pytestmark = pytest.mark.django_db

HOME_TITLES = {
    "scj_zhifa": "我的执法资格",
    "scj_duizhang": "本机构",
    "scj_fazhi": "法制审核",
    "scj_juzhang": "本机关概况",
    "scj_admin": "本机关概况",
    "sfj_jiandu": "辖区执法主体",
    "admin": "系统维护",
}


@pytest.fixture
def demo(capsys):
    call_command("demo", "--no-cases")
    return capsys.readouterr().out


def test_demo_has_cases_in_every_stage_and_procedure():
    call_command("demo")
    agencies = Agency.objects.filter(kind=Agency.Kind.ENFORCEMENT)
    for agency in agencies:
        cases = Case.objects.filter(agency=agency)
        assert {c.procedure for c in cases} == set(Procedure.values), agency
        assert {c.stage for c in cases} >= set(Stage.values) - {Stage.ARCHIVED}, agency
    assert Case.objects.filter(stage=Stage.ARCHIVED, agency__name="示范县市场监督管理局").exists()
    assert ledger_verify().ok


def test_demo_county_has_the_agencies_people_and_matters(demo):
    domains = set(
        Agency.objects.filter(kind=Agency.Kind.ENFORCEMENT).values_list("domain", flat=True)
    )
    assert domains >= {
        "market",
        "emergency",
        "ecology",
        "urban",
        "transport",
        "natural_resources",
        "health",
        "culture",
    }
    assert Agency.objects.filter(kind=Agency.Kind.SUPERVISORY, name="示范县司法局").exists()
    assert Agency.objects.filter(kind=Agency.Kind.ENTRUSTED).exists()
    # Every agency has a distinct, valid 统一社会信用代码 (the 双公示 exports name it).
    codes = list(Agency.objects.values_list("credit_code", flat=True))
    assert len(set(codes)) == len(codes) and all(uscc.is_valid(code) for code in codes)
    assert Officer.objects.count() >= 150
    today = timezone.localdate()
    states = {c.status_on(today) for c in Credential.objects.all()}
    assert {"valid", "expired", "suspended"} <= states
    assert Matter.objects.count() >= 30
    assert ledger_verify().ok
    call_command("ledger", "verify")  # the chain and the demo's signed checkpoint
    for login in DEMO_LOGINS:
        assert login["username"] in demo


def test_demo_is_idempotent_and_reset_starts_over(demo, capsys):
    entries = LedgerEntry.objects.count()
    call_command("demo", "--no-cases")
    assert "已存在" in capsys.readouterr().out
    assert LedgerEntry.objects.count() == entries
    call_command("demo", "--if-empty")
    assert LedgerEntry.objects.count() == entries


@pytest.mark.parametrize(("username", "title"), HOME_TITLES.items())
def test_each_demo_login_shows_its_home_in_chinese(demo, client, username, title):
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    page = client.get(reverse("accounts:home")).content.decode()
    assert title in page and "我的待办" in page


@pytest.mark.django_db(transaction=True)
def test_reset_rebuilds_from_an_empty_database(capsys):
    call_command("demo", "--no-cases")
    call_command("demo", "--reset", "--noinput", "--scale", "2", "--no-cases")
    assert Officer.objects.count() >= 300
    assert Agency.objects.filter(name="示范县司法局").count() == 1
    assert ledger_verify().ok
