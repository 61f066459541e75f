"""The chat page in a real headless browser (Debian Chromium via Playwright), against a real index.

Screenshots go to ``artifacts/`` at the repository root.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import ROOT

from advisor import Advisor
from advisor.feedback.store import FeedbackStore
from advisor.web import build_demo, launch
from testkit.net import free_port
from testkit.settings import with_feedback_db

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "artifacts"
STORY_TITLE = "我身边的几个互联网大厂中年人的真实出路"
TIMEOUT_MS = 60_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (make chromium)"
    ),
]


@pytest.fixture(scope="module")
def app_url(corpus_index, embedder, tmp_path_factory):
    settings = with_feedback_db(corpus_index, tmp_path_factory.mktemp("browser") / "feedback.db")
    store = FeedbackStore.from_settings(settings)
    demo = build_demo(Advisor.load(settings, embedder=embedder), feedback=store)
    port = free_port()
    launch(demo, settings, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/", store
    demo.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url[0])
    page.locator("#question-box textarea").wait_for()
    yield page
    context.close()


def ask(page, question: str) -> None:
    box = page.locator("#question-box textarea")
    box.fill(question)
    box.press("Enter")


def wait_for_sources(page, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#sources-panel .src-card").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator("#sources-panel")).to_contain_text(text, timeout=TIMEOUT_MS)


def test_wangjie_answer_cites_sources_and_takes_feedback(page, app_url):
    from playwright.sync_api import expect

    page.get_by_label("运营", exact=True).check()
    ask(page, "阿里出来的王姐后来做了什么？")
    wait_for_sources(page, STORY_TITLE)
    chat = page.locator("#chatbot")
    expect(chat).to_contain_text("[1]")
    expect(chat.get_by_text(re.compile(r"\[1\]")).first).to_be_visible()
    sources = page.locator("#sources-panel")
    expect(sources).to_contain_text("二、破茧——女高管王姐的变形记")
    expect(page.locator("#convo-state")).to_contain_text("正在聊：王姐")  # what "她" will mean next
    mark = sources.locator("mark").first
    expect(mark).to_be_visible()
    quote = mark.inner_text().strip()
    assert len(quote) >= 10 and "王姐" in sources.inner_text()
    # the highlighted quote is what the answer cites: one of its sentences is in the chat
    sentences = [x.strip() for x in re.split(r"(?<=[。！？；;])|\n", quote) if len(x.strip()) >= 8]
    chat_text = chat.inner_text()
    assert any(x in chat_text for x in sentences), (quote, chat_text)
    link = sources.locator("a[href^='https://']").first
    expect(link).to_have_attribute("href", re.compile(r"woshipm\.com"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-wangjie.png"), full_page=True)

    # 👍 on the answer stores one vote
    _, feedback = app_url
    before = len(feedback.votes())
    chat.locator("button[aria-label='赞'], button[aria-label='Like']").last.click()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        votes = feedback.votes()
        if len(votes) > before:
            break
        time.sleep(0.2)
    record = votes[-1]
    assert record["vote"] == "up" and record["role"] == "运营"
    assert record["question"] == "阿里出来的王姐后来做了什么？" and record["chunk_ids"]


def test_pm_vs_project_manager_then_undo_and_new_chat(page):
    from playwright.sync_api import expect

    question = "产品经理和项目经理有什么区别？"
    ask(page, question)
    wait_for_sources(page, "项目经理")
    chat = page.locator("#chatbot")
    expect(chat).to_contain_text("[1]")
    expect(chat).to_contain_text("项目经理")
    expect(page.locator("#sources-panel mark").first).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-pm-vs-project.png"), full_page=True)

    page.locator("#undo-btn").click()
    expect(page.locator("#question-box textarea")).to_have_value(question)
    expect(chat).not_to_contain_text("[1]")

    page.get_by_role("button", name="老张后来怎么样了？").click()  # example buttons ask at once
    wait_for_sources(page, "老张的县城慢镜头")
    expect(chat).to_contain_text("老张")
    page.locator("#retry-btn").click()  # re-asks the last question in place
    expect(chat.locator(".message-row")).to_have_count(2)
    wait_for_sources(page, "老张的县城慢镜头")
    page.locator("#new-chat-btn").click()
    expect(chat).not_to_contain_text("老张")
    expect(page.locator("#sources-panel .src-card")).to_have_count(0)


# -- 转型规划 and 岗位速览 -------------------------------------------------------------------------
PLAN_TITLES = ("先做好安全垫", "1. 路径评估", "2. 第一个 MVP 项目", "3. 数据看板", "4. 风险止损矩阵")
PLAN_TITLES += ("5. 90 天节奏", "6. 参考案例与资源清单")


def fill_plan(page, role: str, years: str, level: str, goal: str, savings: str, hours: str) -> None:
    for elem, label in (("#plan-role", role), ("#plan-level", level), ("#plan-goal", goal)):
        page.locator(elem).get_by_label(label, exact=True).check()
    for elem, value in (("#plan-years", years), ("#plan-savings", savings), ("#plan-hours", hours)):
        page.locator(f"{elem} input").fill(value)


def test_plan_tab_makes_a_cited_plan_with_timeline_download_and_chat(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="转型规划").click()
    fill_plan(page, "运营", "10", "经理", "跨界", "3", "")
    page.locator("#plan-go").click()  # hours missing: a Chinese message, nothing else changes
    expect(page.locator("#plan-error")).to_contain_text("每周可投入的小时数请填")
    expect(page.locator("#plan-text")).not_to_contain_text("路径评估")
    expect(page.locator("#plan-years input")).to_have_value("10")

    page.locator("#plan-hours input").fill("8")
    page.locator("#plan-note textarea").fill("刚被裁，想做私域")
    page.locator("#plan-go").click()
    text = page.locator("#plan-text")
    for title in PLAN_TITLES:
        expect(text).to_contain_text(title)
    expect(text).to_contain_text("6-12 个月生活费")  # low savings: the reserve rule leads
    expect(text).to_contain_text("私域引流方案")
    expect(page.locator("#plan-error")).not_to_contain_text("请填")
    image = page.locator("#plan-timeline-img")
    expect(image).to_be_visible()
    assert image.evaluate("i => i.complete && i.naturalWidth") > 300
    expect(page.locator("#plan-sources .src-card").first).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-plan.png"), full_page=True)

    with page.expect_download() as download:
        page.locator("#plan-download").click()
    markdown = Path(download.value.path()).read_text("utf-8")
    assert markdown.startswith("# 转型规划：运营经理") and "## 来源" in markdown
    assert "data:image/svg+xml;base64," in markdown and "6-12 个月生活费" in markdown

    page.locator("#plan-to-chat").click()  # the plan goes into the conversation
    chat = page.locator("#chatbot")
    expect(chat).to_contain_text("已把你的转型计划")
    ask(page, "关于这个计划的第二步，我这周先做什么？")
    expect(chat).to_contain_text("第一个 MVP 项目")
    expect(chat).to_contain_text("私域引流方案")
    wait_for_sources(page, "小步试错")


def test_role_card_reachable_from_the_chat_and_as_a_tab(page):
    from playwright.sync_api import expect

    ask(page, "用户运营是做什么的？")
    wait_for_sources(page, "用户运营")
    hint = page.locator("#card-hint")
    expect(hint).to_contain_text("用户运营")
    hint.click()
    expect(page.get_by_role("tab")).to_have_count(3)  # the tabs are drawn once each
    card = page.locator("#card-text")
    expect(card).to_contain_text("岗位速览：用户运营")
    for part in ("是做什么的", "典型工作与例子", "职业阶段", "和相邻岗位的区别", "内容运营"):
        expect(card).to_contain_text(part)
    expect(page.locator("#card-sources .src-card").first).to_be_visible()
    page.locator("#card-pick").get_by_label("产品经理", exact=True).check()
    expect(card).to_contain_text("初级PM(0-2年)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-card.png"), full_page=True)
