"""The portal in a real browser (PUB-04, PUB-10, PUB-12; issue §9 portal quality):
Playwright drives Debian's Chromium (``scripts/system-deps.sh`` installs it; no
browser is ever downloaded) against the product served by ``live_server``.

A citizen searches a decision and opens it, checks an officer's credential,
sends a correction request — reading and answering the form's challenge as a
person would — and follows its status; the home page is used with the keyboard
alone; every main page fits a 375 px phone screen without sideways scrolling.
Screenshots of the main pages, desktop and phone, go to ``$ZHIFA_SCREENSHOT_DIR``
when it is set, else to the run's temporary directory (never into the checkout).

Without Chromium the tests are skipped on a workstation, and fail in CI (``CI``
set): there a missing browser is a broken install, not a reason to pass.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from zhifa.disclosures import services
from zhifa.disclosures.tests.conftest import decision

CHROMIUM = os.environ.get("ZHIFA_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
PDF = b"%PDF-1.4\n%browser test\n"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.req("PUB-12")]


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"浏览器测试在 CI 中不能跳过：{reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    """One browser for this module only: Playwright's sync API keeps an event loop
    in the test's thread while it runs, and Django refuses ORM calls from a thread
    with a running loop. The calls made here meanwhile are plain synchronous test
    setup and teardown between browser steps, so they are allowed for as long as
    the browser is up, and the module's end stops it before other tests run."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} 不存在（scripts/system-deps.sh 安装 chromium）")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        _unavailable("未安装 playwright（pip install -e '.[test]'）")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("ZHIFA_SCREENSHOT_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        viewport=DESKTOP, locale="zh-CN", base_url=live_server.url, timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _published(desk, **kw):
    item = services.disclosure_prepare(
        actor=desk.officer,
        agency=desk.agency,
        draft=decision(desk, decided_on=timezone.localdate(), **kw),
    )
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    return services.disclosure_publish(actor=desk.legal, disclosure=item)


def test_search_a_decision_and_open_it(desk, page, shots):
    legal = _published(desk, natural=False, facts="示范县好味食品有限公司销售过期牛奶12箱。")
    _published(
        desk,
        document_number="示市监罚〔2026〕13号",
        title="行政处罚决定书 示市监罚〔2026〕13号",
        facts="未按规定公示价格。",
        conclusion="警告",
    )
    page.goto("/")
    page.get_by_label("检索执法决定").fill("好味")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url(re.compile(r"/decisions/\?q="))
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "示范县好味食品有限公司" in rows.first.inner_text()
    page.screenshot(path=shots / "decisions-search.png", full_page=True)
    page.get_by_role("link", name=legal.document_number).click()
    page.wait_for_url(f"**/decisions/{legal.pk}/")
    text = page.locator("main").inner_text()
    assert legal.document_number in text and "没收过期牛奶12箱" in text
    # The public version only: the representative's and other people's data are redacted.
    assert "11010519491231002X" not in page.content() and "13800138000" not in page.content()
    page.screenshot(path=shots / "decision-detail.png", full_page=True)


@pytest.mark.req("PUB-04")
def test_verify_an_officer_by_certificate_number(build, county, page, shots):
    officer = build.officer(county.market, name="赵有效", unit=county.market_unit)
    number = officer.credentials.get().number
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="执法证件查询").click()
    page.get_by_label("执法证件编号").fill(number)
    page.get_by_role("button", name="查询").click()
    result = page.locator("section[aria-live]")
    assert "赵有效" in result.inner_text() and county.market.name in result.inner_text()
    assert "查询结果：有效" in page.get_by_role("heading", level=2).inner_text()
    page.screenshot(path=shots / "officer-verify.png", full_page=True)
    page.get_by_label("执法证件编号").fill("T99999999")
    page.get_by_role("button", name="查询").click()
    assert "未查到编号" in page.get_by_role("alert").inner_text()


@pytest.mark.req("PUB-10")
def test_submit_a_correction_request_and_follow_it(desk, page, shots, tmp_path):
    item = _published(desk)
    evidence = tmp_path / "证据.pdf"
    evidence.write_bytes(PDF)
    page.goto(f"/decisions/{item.pk}/")
    page.get_by_role("link", name="更正申请与投诉").first.click()
    page.get_by_label("类型").select_option(label="更正申请")
    page.get_by_label("所涉执法主体").select_option(label=desk.agency.name)
    page.get_by_label("所涉公示信息编号").fill(str(item.pk))
    page.get_by_label("姓名或名称").fill("申请人甲")
    page.get_by_label("联系方式").fill("13700001111")
    page.get_by_label("请求内容及理由").fill("罚款金额有误，应为3000元。")
    page.get_by_label("证据材料").set_input_files(str(evidence))
    # The challenge, read off the page and answered as a person would.
    question = page.locator("label", has_text="验证问题").inner_text()
    a, b = map(int, re.search(r"(\d+)\s*加\s*(\d+)", question).groups())
    page.get_by_label(re.compile("验证问题")).fill(str(a + b))
    page.screenshot(path=shots / "request-new.png", full_page=True)
    page.get_by_role("button", name="提交").click()
    assert "已收到您的更正申请" in page.get_by_role("heading", level=1).inner_text()
    values = page.locator("dl.fields dd strong").all_inner_texts()
    tracking, code = values[0], values[1]
    page.screenshot(path=shots / "request-done.png", full_page=True)
    page.get_by_role("link", name="查询办理进度").click()
    page.get_by_label("查询编号").fill(tracking)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button").filter(has_text="查询").click()
    status = page.locator("main").inner_text()
    assert "已受理" in status and "13700001111" not in status
    page.screenshot(path=shots / "request-status.png", full_page=True)


def test_a_wrong_challenge_answer_is_refused_and_a_new_one_asked(desk, page):
    _published(desk)
    page.goto("/requests/new/")
    page.get_by_label("所涉执法主体").select_option(label=desk.agency.name)
    page.get_by_label("姓名或名称").fill("申请人乙")
    page.get_by_label("联系方式").fill("13700002222")
    page.get_by_label("请求内容及理由").fill("投诉未按期公示。")
    page.get_by_label("类型").select_option(label="投诉举报")
    page.get_by_label(re.compile("验证问题")).fill("99")
    page.get_by_role("button", name="提交").click()
    assert "验证问题回答不正确" in page.locator("main").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "更正申请与投诉举报"


def test_the_home_page_works_with_the_keyboard_alone(desk, page):
    _published(desk, natural=False)
    page.goto("/")
    page.keyboard.press("Tab")
    # The first stop is the skip link, shown when focused.
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    assert page.locator("a.skip").bounding_box()["x"] >= 0
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "home-q":
            break
    else:
        pytest.fail("按 Tab 键到不了首页的检索框")
    page.keyboard.type("好味")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "检索"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/decisions/\?q="))
    assert page.locator("table.list tbody tr").count() == 1
    # Focus is visible: the browser draws an outline on the focused control.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def _main_pages(desk, county, build):
    item = _published(desk, natural=False)
    officer = build.officer(county.market, name="孙执法", unit=county.market_unit)
    return {
        "home": "/",
        "decisions": "/decisions/?q=%E5%A5%BD%E5%91%B3",
        "decision": f"/decisions/{item.pk}/",
        "agency": f"/agencies/{county.market.pk}/",
        "matters": "/matters/",
        "verify": f"/officers/verify?number={officer.credentials.get().number}",
        "takedowns": "/takedowns/",
        "request": "/requests/new/",
        "request-status": "/requests/status/",
    }


def test_main_pages_fit_a_phone_screen(desk, county, build, phone, shots):
    too_wide = {}
    for name, url in _main_pages(desk, county, build).items():
        response = phone.goto(url)
        assert response.status == 200, (name, response.status)
        scroll, width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > width:
            too_wide[name] = scroll
        phone.screenshot(path=shots / f"phone-{name}.png", full_page=True)
    assert not too_wide, f"这些页面在 375 像素宽的屏幕上需要左右滚动：{too_wide}"


def test_screenshots_of_the_main_pages(desk, county, build, page, shots):
    for name, url in _main_pages(desk, county, build).items():
        response = page.goto(url)
        assert response.status == 200, (name, response.status)
        assert page.title().endswith("行政执法公示平台")
        path = shots / f"desktop-{name}.png"
        page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 5_000
