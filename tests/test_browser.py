"""The app in a real headless browser (Debian Chromium via Playwright), against a real index, as a
new user meets it: light and dark (the OS setting and Gradio's ``?__theme=dark``), 1280 px and 390 px.

Screenshots go to ``artifacts/`` at the repository root (the ones in ``docs/`` are copied from there).
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, RecordingFakeChat
from langchain_core.messages import AIMessage

from advisor import Advisor
from advisor.feedback.store import FeedbackStore
from advisor.index.ingest import ingest
from advisor.web import build_demo, launch
from testkit.net import free_port
from testkit.settings import isolated_settings, with_feedback_db

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARGS += ["--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "artifacts"
STORY_TITLE = "我身边的几个互联网大厂中年人的真实出路"
WANGJIE = "阿里出来的王姐后来做了什么？"
TIMEOUT_MS = 60_000
# (name, colour scheme of the OS, query string, viewport width)
MODES = {
    "light": ("light", "", 1280),
    "dark": ("dark", "", 1280),
    "theme-param": ("light", "?__theme=dark", 1280),
    "phone": ("light", "", 390),
}
WIDE = ["light", "dark", "theme-param"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (make chromium)"
    ),
]


def serve(demo, settings) -> str:
    port = free_port()
    launch(demo, settings, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def app_url(corpus_index, embedder, tmp_path_factory):
    settings = with_feedback_db(corpus_index, tmp_path_factory.mktemp("browser") / "feedback.db")
    store = FeedbackStore.from_settings(settings)
    demo = build_demo(Advisor.load(settings, embedder=embedder), feedback=store)
    yield serve(demo, settings), store
    demo.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def open_page(browser, url: str, mode: str = "light", context=None):
    scheme, query, width = MODES[mode]
    height = 844 if width < 500 else 900
    context = context or browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", color_scheme=scheme
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url + query)
    page.locator("#question-box textarea").wait_for()
    return page


@pytest.fixture
def page(browser, app_url, request):
    mode = getattr(request, "param", "light")
    page = open_page(browser, app_url[0], mode)
    yield page
    page.context.close()


def ask(page, question: str) -> None:
    box = page.locator("#question-box textarea")
    box.fill(question)
    box.press("Enter")


def wait_for_sources(page, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#sources-panel")).to_contain_text(text, timeout=TIMEOUT_MS)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    view = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= view["height"]


CONTRAST = """el => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const st = getComputedStyle(el);
  const a = lum(rgb(st.color)), b = lum(rgb(st.backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


# -- the landing -----------------------------------------------------------------------------------
@pytest.mark.parametrize("page", [*WIDE, "phone"], indirect=True)
def test_landing_speaks_to_users_above_the_fold(page, request):
    from playwright.sync_api import expect

    mode = request.node.callspec.params["page"]
    expect(page.locator("#app-title h1")).to_have_text("转型顾问")
    assert in_view(page, page.locator("#app-title h1"))
    assert in_view(page, page.get_by_role("tab", name="转型规划"))
    for item in ("对话问答", "转型规划", "岗位速览"):
        assert in_view(page, page.locator("#intro").get_by_text(item)), item
    assert in_view(page, page.get_by_role("button", name="我是做运营的，35岁了该怎么转型？"))
    # the model settings are there for whoever runs it, folded away
    expect(page.get_by_text("设置 / 关于")).to_be_visible()
    expect(page.get_by_text("ADVISOR_LLM", exact=False)).to_be_hidden()
    assert page.evaluate("document.activeElement.tagName") != "TEXTAREA"  # no autofocus jump
    if mode != "phone":
        assert in_view(page, page.locator("#question-box textarea"))
    dark = page.evaluate("document.body.classList.contains('dark') || !!document.querySelector('.dark')")
    assert dark == (mode in ("dark", "theme-param"))
    shot(page, f"landing-{mode}")


# -- a cited answer --------------------------------------------------------------------------------
@pytest.mark.parametrize("page", [*WIDE, "phone"], indirect=True)
def test_clicking_a_citation_shows_and_flashes_its_source(page, request):
    from playwright.sync_api import expect

    mode = request.node.callspec.params["page"]
    ask(page, WANGJIE)
    wait_for_sources(page, STORY_TITLE)
    chat = page.locator("#chatbot")
    link = chat.locator("a.cite[data-n='2']").first
    expect(link).to_be_visible()
    expect(link).to_have_attribute("title", re.compile(r"^来源 2：.{12,}"))  # hovering shows the quote
    title = link.get_attribute("title")
    link.click()
    if mode == "phone":  # the answer's own sources open right under it
        card = chat.locator("details.answer-sources[open] .src-card.src-2")
        expect(page.locator("#sources-panel .src-card").first).to_be_hidden()
    else:
        card = page.locator("#sources-panel .src-card.src-2")
    expect(card).to_be_visible()
    expect(card).to_have_class(re.compile("flash"))
    expect(card).to_be_in_viewport()
    assert title.removeprefix("来源 2：")[:12] in card.locator("mark").first.inner_text()
    # the highlighted quote reads in either theme (WCAG AA: 4.5:1)
    assert card.locator("mark").first.evaluate(CONTRAST) >= 4.5
    assert page.locator("#convo-state").evaluate(CONTRAST) >= 4.5
    shot(page, f"answer-{mode}")


# -- the first moment after sending ----------------------------------------------------------------
@pytest.fixture(scope="module")
def slow_app(corpus_index, embedder, tmp_path_factory):
    """The same page over a chat model that takes 3 s before its first token."""

    class Slow(RecordingFakeChat):
        def _stream(self, *args, **kwargs):
            time.sleep(3)
            yield from super()._stream(*args, **kwargs)

    settings = isolated_settings(corpus_index.data_dir, llm="openai:slow")
    settings = with_feedback_db(settings, tmp_path_factory.mktemp("slow") / "fb.db")
    model = Slow(messages=itertools.repeat(AIMessage(content="王姐后来建了社区团购群[1]。")))
    demo = build_demo(
        Advisor(settings, embedder, chat_model=model), feedback=FeedbackStore.from_settings(settings)
    )
    yield serve(demo, settings)
    demo.close()


def test_the_question_and_a_searching_line_show_within_100_ms(browser, slow_app):
    page = open_page(browser, slow_app)
    page.evaluate(
        """() => {
        window.__sent = null; window.__shown = null;
        document.addEventListener('keydown', e => { if (e.key === 'Enter') window.__sent = performance.now(); }, true);
        new MutationObserver(() => {
          const t = document.querySelector('#chatbot').innerText;
          if (!window.__shown && t.includes('正在检索') && t.includes('王姐后来')) window.__shown = performance.now();
        }).observe(document.querySelector('#chatbot'), {childList: true, subtree: true, characterData: true});
    }"""
    )
    ask(page, "王姐后来怎么样了？")
    page.wait_for_function("window.__shown !== null", timeout=5000)
    elapsed = page.evaluate("window.__shown - window.__sent")
    assert elapsed < 100, f"{elapsed:.0f} ms"
    assert page.locator("#question-box textarea").input_value() == ""  # the box is free again at once
    page.context.close()


# -- kept, exported, cleared -----------------------------------------------------------------------
def test_reload_keeps_the_chat_export_has_sources_and_clear_forgets(browser, app_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = open_page(browser, app_url[0], context=context)
    ask(page, WANGJIE)
    wait_for_sources(page, STORY_TITLE)
    expect(page.locator("#export-md")).to_be_visible()
    page.reload()
    page.locator("#question-box textarea").wait_for()
    chat = page.locator("#chatbot")
    expect(chat).to_contain_text(WANGJIE)
    expect(chat).to_contain_text("王姐")
    wait_for_sources(page, STORY_TITLE)  # the sources panel is back too
    expect(chat.locator("a.cite").first).to_be_visible()
    exported = {}
    for kind in ("md", "json"):
        with page.expect_download() as download:
            page.locator(f"#export-{kind}").click()
        assert download.value.suggested_filename == f"转型顾问-对话-{date.today().isoformat()}.{kind}"
        exported[kind] = Path(download.value.path()).read_text("utf-8")
    md, js = exported["md"], exported["json"]
    assert WANGJIE in md and "**来源**" in md and STORY_TITLE in md and "破茧" in md
    assert re.search(r"^1\. \*\*" + STORY_TITLE, md, re.M) and "https://www.woshipm.com/" in md
    assert "中供铁军" in md  # the quote itself
    assert '"link": "https://www.woshipm.com/' in js and '"quote":' in js and "<details" not in md
    page.locator("#new-chat-btn").click()
    expect(chat.locator(".message-row")).to_have_count(0)
    expect(page.locator("#export-md")).to_have_count(0)  # cleared in the same step as the stored chat
    page.reload()
    page.locator("#question-box textarea").wait_for()
    page.wait_for_timeout(500)
    expect(chat.locator(".message-row")).to_have_count(0)
    context.close()


# -- feedback --------------------------------------------------------------------------------------
def test_thumbs_down_asks_why_and_a_changed_vote_updates_its_row(page, app_url):
    from playwright.sync_api import expect

    store = app_url[1]
    ask(page, "老周现在在做什么？")
    wait_for_sources(page, "老周")
    before = len(store.votes())
    chat = page.locator("#chatbot")
    chat.locator("button[aria-label='踩'], button[aria-label='Dislike']").last.click()
    form = page.locator("#reason-pick")
    expect(form).to_be_visible()
    toast = page.locator(".toast-body").last
    expect(toast).to_contain_text("已记录反馈")
    title = toast.locator(".toast-title")
    assert title.evaluate("t => getComputedStyle(t, '::before').content") == '"提示"'
    assert title.evaluate("t => getComputedStyle(t).fontSize") == "0px"  # Gradio's English word unseen
    state = page.locator("#convo-state")
    if state.count():
        a, b = toast.bounding_box(), state.bounding_box()
        assert a["y"] >= b["y"] + b["height"] or a["y"] + a["height"] <= b["y"], "the toast covers the state"
    form.get_by_label("引用不对", exact=True).check()
    page.locator("#reason-text textarea").fill("第二条引用和问题无关")
    page.locator("#reason-send").click()
    expect(form).to_be_hidden()
    wait_until(lambda: (store.votes()[-1:] or [{}])[0].get("reason"))
    rows = store.votes()
    assert len(rows) == before + 1
    assert rows[-1]["vote"] == "down" and rows[-1]["reason"] == "引用不对：第二条引用和问题无关"
    chat.locator("button[aria-label='赞'], button[aria-label='Like']").last.click()  # changes their mind
    wait_until(lambda: store.votes()[-1]["vote"] == "up")
    assert len(store.votes()) == before + 1  # the same row, updated


def wait_until(check, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


# -- controls and state agree; text stays text -----------------------------------------------------
def test_role_radio_follows_the_state_and_a_refusal_changes_nothing(page):
    from playwright.sync_api import expect

    radio = page.locator("#role-pick")
    ask(page, "我是做运营的，35岁了，感觉活都被AI干了，该往哪转？")
    # the line appears with the answer: the first one in a fresh app may take longer than expect's 5 s
    expect(page.locator("#convo-state")).to_contain_text("我的岗位：运营", timeout=TIMEOUT_MS)
    expect(radio.get_by_label("运营", exact=True)).to_be_checked()
    ask(page, "javascript 的闭包怎么写？")
    expect(page.locator("#chatbot .message-row")).to_have_count(4, timeout=TIMEOUT_MS)
    expect(page.locator("#sources-panel")).not_to_contain_text("正在检索")
    expect(page.locator("#convo-state")).to_contain_text("我的岗位：运营")
    expect(radio.get_by_label("运营", exact=True)).to_be_checked()
    radio.get_by_label("产品", exact=True).check()  # setting the radio updates what is remembered
    expect(page.locator("#convo-state")).to_contain_text("我的岗位：产品")


def test_typed_html_is_shown_as_typed(page):
    from playwright.sync_api import expect

    typed = "<img src=x onerror=alert(1)> 老张后来怎么样了？"
    ask(page, typed)
    wait_for_sources(page, "老张")
    chat = page.locator("#chatbot")
    expect(chat.locator("[data-testid='user']").first).to_contain_text("<img src=x onerror=alert(1)>")
    assert chat.locator("img[src='x']").count() == 0


@pytest.fixture(scope="module")
def img_app(corpus_index, embedder, tmp_path_factory):
    """The corpus plus an article with an ``<img>`` in its text, ingested into a copy of the index."""
    root = tmp_path_factory.mktemp("img")
    shutil.copytree(corpus_index.data_dir, root / "data")
    (root / "extra.md").write_text(
        "---\ntitle: 老钱的图片故事\nsource: https://example.com/laoqian\n---\n\n# 老钱的图片故事\n\n"
        "## 一、老钱开了一家面包店\n\n老钱在大厂做了十年运营，被裁后在小区门口开了一家面包店"
        "<img src=http://127.0.0.1:1/x>，每天早上五点起床烤面包。\n\n老钱说，面包店让他重新找到了生活的节奏。\n",
        "utf-8",
    )
    settings = with_feedback_db(isolated_settings(root / "data"), root / "fb.db")
    ingest(settings, embedder, [CORPUS, root / "extra.md"])
    demo = build_demo(
        Advisor.load(settings, embedder=embedder), feedback=FeedbackStore.from_settings(settings)
    )
    yield serve(demo, settings)
    demo.close()


def test_html_inside_a_document_never_reaches_the_browser_as_an_element(browser, img_app):
    from playwright.sync_api import expect

    page = open_page(browser, img_app)
    requested = []
    page.on("request", lambda r: requested.append(r.url) if "127.0.0.1:1/" in r.url else None)
    ask(page, "老钱后来怎么样了？")
    wait_for_sources(page, "老钱的图片故事")
    expect(page.locator("#chatbot")).to_contain_text("<img src=http://127.0.0.1:1/x>")  # shown as text
    expect(page.locator("#sources-panel")).to_contain_text("<img src=http://127.0.0.1:1/x>")
    page.locator("#chatbot a.cite").first.click()
    page.wait_for_timeout(300)
    assert page.locator("img[src*='127.0.0.1:1']").count() == 0 and requested == []
    page.context.close()


# -- 转型规划 and 岗位速览 -------------------------------------------------------------------------
PLAN_TITLES = ("先做好安全垫", "1. 路径评估", "2. 第一个 MVP 项目", "3. 数据看板", "4. 风险止损矩阵")
PLAN_TITLES += ("5. 90 天节奏", "6. 参考案例与资源清单")


def fill_plan(page, role: str, years: str, level: str, goal: str, savings: str, hours: str) -> None:
    for elem, label in (("#plan-role", role), ("#plan-level", level), ("#plan-goal", goal)):
        page.locator(elem).get_by_label(label, exact=True).check()
    for elem, value in (("#plan-years", years), ("#plan-savings", savings), ("#plan-hours", hours)):
        page.locator(f"{elem} input").fill(value)


@pytest.mark.parametrize("page", ["light", "dark"], indirect=True)
def test_plan_tab_refuses_empty_fields_and_makes_a_readable_plan(page, request):
    from playwright.sync_api import expect

    mode = request.node.callspec.params["page"]
    page.get_by_role("tab", name="转型规划").click()
    for elem in ("#plan-years", "#plan-savings", "#plan-hours"):  # empty until filled, never a silent 0
        expect(page.locator(f"{elem} input")).to_have_value("")
    page.locator("#plan-go").click()
    error = page.locator("#plan-error")
    for field in ("工作年限请填", "每周可投入的小时数请填", "存款够几个月生活费请填"):
        expect(error).to_contain_text(field)
    expect(page.locator("#plan-text")).not_to_contain_text("路径评估")

    fill_plan(page, "运营", "10", "经理", "跨界", "12", "8")
    page.locator("#plan-note textarea").fill("刚被裁，想做私域")
    page.locator("#plan-go").click()
    text = page.locator("#plan-text")
    for title in PLAN_TITLES:
        expect(text).to_contain_text(title)
    expect(text).to_contain_text("你说的情况里有「被裁」")  # the note's situation puts the safety net first
    assert text.inner_text().index("先做好安全垫") < text.inner_text().index("路径评估")
    # the chart at its own size: labels as large as the text around them, on its own light ground
    label = page.locator("#plan-timeline svg text").nth(3)
    expect(label).to_be_visible()
    assert label.evaluate("t => t.getBoundingClientRect().height") >= 12
    assert page.locator("#plan-timeline svg rect").first.get_attribute("fill") == "#ffffff"
    shot(page, f"plan-{mode}")
    # the actions stay in view at the end of a long plan
    page.locator("#plan-text").evaluate("e => e.lastElementChild && e.lastElementChild.scrollIntoView()")
    page.mouse.wheel(0, 4000)
    page.wait_for_timeout(300)
    assert in_view(page, page.locator("#plan-to-chat")) and in_view(page, page.locator("#plan-download"))


def test_plan_download_renders_its_chart_and_hand_over_is_idempotent(page):
    from markdown_it import MarkdownIt
    from playwright.sync_api import expect

    page.get_by_role("tab", name="转型规划").click()
    fill_plan(page, "运营", "10", "经理", "跨界", "3", "8")
    page.locator("#plan-go").click()
    expect(page.locator("#plan-text")).to_contain_text("6. 参考案例与资源清单")
    stem = f"转型规划-运营经理-跨界-{date.today().isoformat()}"
    with page.expect_download() as download:
        page.locator("#plan-download").click()
    assert download.value.suggested_filename == f"{stem}.zip"
    files = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    md = files.read(f"{stem}/{stem}.md").decode("utf-8")
    svg = files.read(f"{stem}/timeline.svg").decode("utf-8")  # beside the Markdown that shows it
    html = MarkdownIt("commonmark").enable("table").render(md)  # as VS Code and GitHub read Markdown
    assert '<img src="timeline.svg" alt="90 天节奏：时间线" />' in html
    assert svg.startswith("<svg") and "第 90 天" in svg and "base64" not in md
    sources = md.split("## 来源", 1)[1]
    assert re.search(r"^1\. \*\*.+?\*\* › .+ — “.+”", sources, re.M)
    assert "](https://www.woshipm.com/" in sources or "](http" in sources
    assert "transition-guide" not in sources and not re.search(r"\d+-\d+）", sources)  # no offsets
    assert re.search(r"<ol>\s*<li>", html.split("来源</h2>", 1)[1])  # a numbered list, not a paragraph
    with page.expect_download() as page_download:
        page.locator("#plan-download-html").click()
    page_html = Path(page_download.value.path()).read_text("utf-8")
    assert "<svg" in page_html and "6-12 个月生活费" in page_html and "<script" not in page_html

    hand = page.locator("#plan-to-chat")
    hand.click()
    page.get_by_role("tab", name="转型规划").click()
    hand.click()  # a second click adds nothing
    chat = page.locator("#chatbot")
    expect(chat).to_contain_text("已把你的转型计划")
    expect(chat.get_by_text("已把你的转型计划")).to_have_count(1)
    ask(page, "关于这个计划的第二步，我这周先做什么？")
    # the question shows at once (and says 先做什么): wait for the answer itself
    expect(chat.locator("[data-testid='bot']").last).to_contain_text("1 个月", timeout=TIMEOUT_MS)
    answer = answer_text(page)
    assert "1 个月" in answer and "私域引流方案" in answer
    assert "核心原则" not in answer  # the first step, not the whole section again


def answer_text(page) -> str:
    """The last answer as read on a wide screen (its folded sources left out)."""
    return page.locator("#chatbot [data-testid='bot']").last.evaluate(
        "m => { const c = m.cloneNode(true); c.querySelectorAll('details').forEach(d => d.remove());"
        " return c.innerText; }"
    )


@pytest.mark.parametrize("page", ["light", "dark"], indirect=True)
def test_role_card_reachable_from_the_chat_and_as_a_tab(page, request):
    from playwright.sync_api import expect

    mode = request.node.callspec.params["page"]
    ask(page, "用户运营是做什么的？")
    wait_for_sources(page, "用户运营")
    hint = page.locator("#card-hint")
    expect(hint).to_contain_text("用户运营")
    assert in_view(page, hint)
    hint.click()
    expect(page.get_by_role("tab")).to_have_count(4)  # the tabs are drawn once each
    card = page.locator("#card-text")
    expect(card).to_contain_text("岗位速览：用户运营")
    for part in ("是做什么的", "典型工作与例子", "职业阶段", "和相邻岗位的区别", "内容运营"):
        expect(card).to_contain_text(part)
    expect(page.locator("#card-sources .src-card").first).to_be_visible()
    page.locator("#card-pick").get_by_label("产品经理", exact=True).check()
    expect(card).to_contain_text("初级PM(0-2年)")
    assert "◦" not in card.inner_text()
    shot(page, f"card-{mode}")


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_a_quoted_table_scrolls_inside_its_answer_on_a_phone(page, request):
    """A general answer may quote table rows (the toolkit's, an added article's jobs and pay) under their
    header; on a 390 px screen the table wrapped each character to its own line and then, once kept
    readable, pushed the whole page sideways."""
    from playwright.sync_api import expect

    ask(page, "想补点行业认知，行业报告一般去哪看？")
    table = page.locator("#chatbot table").last
    expect(table).to_be_visible(timeout=TIMEOUT_MS)
    expect(table).to_contain_text("互联网行业资源清单")
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # it scrolls, not wraps per character
    shot(page, f"table-{request.node.callspec.id}")
