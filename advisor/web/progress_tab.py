"""The 「我的进展」 tab and the 「保存并跟进这个计划」 controls under a plan: components, and their events
bound to one ``Advisor`` (handlers in ``progress_handlers.py``).

The browser remembers the private token in its localStorage (``gr.BrowserState``), so the page opens on
the person's progress next time; a link with ``?t=TOKEN`` opens it on another device. No accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from advisor.web import progress_handlers as handlers
from advisor.web.render import SOURCES_IDLE

INTRO = (
    "每周打一次卡：计划里的指标、这周投入的小时和花费、存款还够几个月。看板按文章的「转型数据看板模板」"
    "算周环比变化和目标差值，并在文章的规则适用时原样引用那句话（带来源编号）。"
)
TOKEN_KEY = "advisor-progress-token"


@dataclass
class FollowControls:
    pay: gr.Number
    targets: gr.Textbox
    save: gr.Button


@dataclass
class ProgressTab:
    stored: gr.BrowserState
    token: gr.Textbox
    open: gr.Button
    status: gr.Markdown
    values: gr.Textbox
    hours: gr.Number
    spent: gr.Number
    savings: gr.Textbox
    note: gr.Textbox
    day: gr.Textbox
    check_in: gr.Button
    chart: gr.HTML
    text: gr.Markdown
    sources: gr.HTML
    download: gr.DownloadButton
    delete: gr.Button

    @property
    def shown(self) -> list:
        """What every handler refreshes, in ``progress_handlers.Shown`` order."""
        return [self.status, self.chart, self.text, self.sources, self.download, self.values, self.delete]


def follow_controls() -> FollowControls:
    """Under the plan: optional monthly pay and targets, and the button that saves the plan to follow."""
    with gr.Accordion(
        "保存并跟进这个计划（每周打卡，按文章的规则提醒你）", open=False, elem_id="plan-follow-box"
    ):
        pay = gr.Number(label="月薪（元，选填：核对 MVP 的花费上限）", elem_id="plan-follow-pay")
        targets = gr.Textbox(
            label="目标（选填；文章没给数字的指标必须填，如 日均使用次数=30）",
            max_lines=2,
            elem_id="plan-follow-targets",
        )
        save = gr.Button("保存并跟进这个计划", interactive=False, elem_id="plan-follow")
    return FollowControls(pay, targets, save)


def remembered() -> gr.BrowserState:
    """The token this browser remembers; made at the page's top level so it is read at load (a tab's
    components are only mounted once the tab is opened)."""
    return gr.BrowserState("", storage_key=TOKEN_KEY)


def progress_tab(stored: gr.BrowserState) -> ProgressTab:
    with gr.Tab("我的进展", id="progress", elem_id="progress-tab"):
        gr.Markdown(INTRO)
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=300):
                token = gr.Textbox(
                    label="我的跟进口令（私人链接 ?t=口令；只有你有）", elem_id="progress-token"
                )
                open_ = gr.Button("打开", size="sm", elem_id="progress-open")
                status = gr.Markdown("", elem_id="progress-status")
                values = gr.Textbox(
                    label="本周指标（指标=数字，每行一个）", lines=2, elem_id="progress-values"
                )
                hours = gr.Number(label="本周投入几小时", elem_id="progress-hours")
                spent = gr.Number(label="本周花了多少钱（元）", elem_id="progress-spent")
                savings = gr.Textbox(
                    label="存款还够几个月生活费（选填）", max_lines=1, elem_id="progress-savings"
                )
                note = gr.Textbox(label="一句话备注（选填）", max_lines=2, elem_id="progress-note")
                day = gr.Textbox(label="日期（选填，默认今天，如 2026-12-01）", elem_id="progress-day")
                check_in = gr.Button("记下这一周", variant="primary", elem_id="progress-checkin")
                download = gr.DownloadButton("下载 Markdown", visible=False, elem_id="progress-download")
                delete = gr.Button("删除我的计划", variant="stop", visible=False, elem_id="progress-delete")
            with gr.Column(scale=4, min_width=340):
                chart = gr.HTML("", elem_id="progress-chart")
                text = gr.Markdown(handlers.IDLE, elem_id="progress-text", latex_delimiters=[])
            with gr.Column(scale=3, min_width=300):
                gr.Markdown("### 来源")
                sources = gr.HTML(SOURCES_IDLE, elem_id="progress-sources")
    return ProgressTab(
        stored, token, open_, status, values, hours, spent, savings, note, day, check_in, chart, text, sources,
        download, delete,
    )  # fmt: skip


def bind_progress(
    demo: gr.Blocks, adv, tab: ProgressTab, follow: FollowControls, plan_state, tabs, plan_ctx, bind
):
    """The tab's events, the save button under the plan, and the page load that reopens a saved plan;
    ``bind`` is the page's ``bind`` (handlers take the ``Advisor`` first)."""
    private = {"api_visibility": "private"}
    opened = [tab.stored, tab.token, plan_ctx, *tab.shown]
    demo.load(bind(handlers.on_load, adv), [tab.stored], opened, **private)
    tab.open.click(bind(handlers.open_token, adv), [tab.token], opened, **private)
    tab.token.submit(bind(handlers.open_token, adv), [tab.token], opened, **private)
    form = [tab.stored, tab.values, tab.hours, tab.spent, tab.savings, tab.note, tab.day]
    tab.check_in.click(bind(handlers.check_in, adv), form, tab.shown, **private)
    tab.delete.click(bind(handlers.delete, adv), [tab.stored], opened, **private)
    saved = [tabs, *opened]
    follow.save.click(bind(handlers.save, adv), [plan_state, follow.pay, follow.targets], saved, **private)
    plan_state.change(lambda s: gr.update(interactive=bool(s)), [plan_state], [follow.save], **private)
