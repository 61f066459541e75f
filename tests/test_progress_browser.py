"""The 「我的进展」 tab in a real headless browser (Debian Chromium), in the style of ``test_browser.py``
and on its fixtures: save a plan from the plan tab, check in, the browser remembering the token, the chat
knowing the progress, deleting; a followed plan in light and dark and on a 390 px phone.

The screenshot ``docs/progress.png`` (README) is taken here."""

from __future__ import annotations

from datetime import date, timedelta

from conftest import ROOT
from test_browser import ARTIFACTS, TIMEOUT_MS, app_url, ask, browser, fill_plan, page, pytestmark  # noqa: F401

from advisor.progress.follow import check_in, save_plan
from advisor.progress.store import NOT_FOUND, ProgressStore

DOCS = ROOT / "docs"


def seeded(adv, app, weeks: list[float]) -> str:
    """A plan the app's database holds, started ``len(weeks)`` weeks ago with one check-in a week."""
    store = ProgressStore(app[1].url)
    inputs = {"role": "运营", "years": 10, "level": "经理", "goal": "跨界", "savings_months": 8, "hours": 8}
    start = date.today() - timedelta(days=7 * len(weeks))
    token = save_plan(adv.derived, store, inputs, pay=30000, start=start)
    for k, v in enumerate(weeks):
        raw = {"day": start + timedelta(days=7 * k), "values": {"服务客户数": v}, "hours": 6, "spent": 200}
        check_in(store, token, raw | {"savings_months": 8 - 0.5 * k, "note": "接了朋友的小店"})
    store.close()
    return token


def test_save_from_the_plan_check_in_remember_chat_and_delete(page):  # noqa: F811
    from playwright.sync_api import expect

    page.get_by_role("tab", name="转型规划").click()
    fill_plan(page, "运营", "10", "经理", "跨界", "8", "8")
    page.locator("#plan-go").click()
    expect(page.locator("#plan-text")).to_contain_text("路径评估")
    page.get_by_text("保存并跟进这个计划（").click()
    page.locator("#plan-follow-pay input").fill("30000")
    page.locator("#plan-follow").click()
    status = page.locator("#progress-status")
    expect(status).to_contain_text("已保存并开始跟进")
    text = page.locator("#progress-text")
    expect(text).to_contain_text("还没有打卡")
    expect(page.locator("#progress-values textarea")).to_have_value("服务客户数=")

    page.locator("#progress-values textarea").fill("服务客户数=三")
    page.locator("#progress-hours input").fill("6")
    page.locator("#progress-checkin").click()  # bad input: a Chinese message, the form kept
    expect(status).to_contain_text("「服务客户数」请填数字")
    expect(page.locator("#progress-hours input")).to_have_value("6")
    page.locator("#progress-values textarea").fill("服务客户数=2")
    page.locator("#progress-spent input").fill("200")
    page.locator("#progress-checkin").click()
    expect(status).to_contain_text("已记下这一周")
    expect(text).to_contain_text("已打卡 1 次")
    expect(text).to_contain_text("目前没有规则触发")  # savings left empty: not read as 0 months
    expect(page.locator("#progress-sources .src-card").first).to_be_visible()

    page.reload()  # the browser remembers the token (localStorage)
    page.get_by_role("tab", name="我的进展").click()
    expect(page.locator("#progress-text")).to_contain_text("已打卡 1 次", timeout=TIMEOUT_MS)
    page.get_by_role("tab", name="对话").click()
    ask(page, "我的进展怎么样？")
    expect(page.locator("#chatbot")).to_contain_text("关于你跟进的计划")
    expect(page.locator("#chatbot")).to_contain_text("已打卡 1 次")

    page.get_by_role("tab", name="我的进展").click()
    page.locator("#progress-delete").click()
    expect(page.locator("#progress-status")).to_contain_text("已删除这个计划和它的全部打卡记录（2 条）")
    page.reload()
    page.get_by_role("tab", name="我的进展").click()
    expect(page.locator("#progress-text")).to_contain_text("还没有跟进的计划")


def test_a_wrong_link_reveals_nothing(page, app_url):  # noqa: F811
    from playwright.sync_api import expect

    page.goto(app_url[0] + "?t=" + "x" * 32)
    page.get_by_role("tab", name="我的进展").click()
    expect(page.locator("#progress-status")).to_contain_text(NOT_FOUND)
    expect(page.locator("#progress-text")).to_contain_text("还没有跟进的计划")


def _luminance(rgb: str) -> float:
    r, g, b = (int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_followed_plan_in_light_dark_and_on_a_phone(browser, app_url, adv):  # noqa: F811
    from playwright.sync_api import expect

    token = seeded(adv, app_url, [3, 3, 3, 3])
    DOCS.mkdir(exist_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for theme, width in (("light", 1400), ("dark", 1400), ("dark", 390), ("light", 390)):
        context = browser.new_context(viewport={"width": width, "height": 1000}, locale="zh-CN")
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.goto(f"{app_url[0]}?t={token}&__theme={theme}")
        tab.get_by_role("tab", name="我的进展").click()
        text = tab.locator("#progress-text")
        expect(text).to_contain_text("连续 2 周指标无改善")
        expect(text).to_contain_text("若连续 2 周指标无改善,及时调整转型策略。[")
        expect(text).to_contain_text("🔴 红")
        image = tab.locator("#progress-chart-img")
        expect(image).to_be_visible()
        assert image.evaluate("i => i.complete && i.naturalWidth") > 300
        assert image.evaluate("i => i.getBoundingClientRect().width") <= width  # fits the screen
        ink = _luminance(text.locator("h2").first.evaluate("e => getComputedStyle(e).color"))
        assert (ink > 0.6) if theme == "dark" else (ink < 0.4)  # headings readable on the theme
        overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{theme} {width}px scrolls sideways by {overflow}px"
        tab.screenshot(path=str(ARTIFACTS / f"browser-progress-{theme}-{width}.png"), full_page=True)
        if (theme, width) == ("light", 1400):
            tab.screenshot(path=str(DOCS / "progress.png"), full_page=False)
        context.close()
