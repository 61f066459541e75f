"""The 「转型规划」 and 「岗位速览」 tabs: their components, and their events bound to one ``Advisor``."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from advisor.planning.model import PlanData
from advisor.web import plan_handlers
from advisor.web.progress_tab import FollowControls, follow_controls
from advisor.web.render import SOURCES_IDLE

PLAN_INTRO = (
    "填几项你的情况，按文章的工具包（方向评估、MVP 计划表、数据看板、止损矩阵、资源清单）生成一份"
    "**只用文章原文**的转型计划：每一行都带来源编号，右侧可核对；文章没讲到的地方会直接说“文章没有讲到”。"
)
PLAN_IDLE = "填好左边的几项，点「生成我的转型计划」。"


@dataclass
class PlanTab:
    form: list
    go: gr.Button
    error: gr.Markdown
    text: gr.Markdown
    timeline: gr.HTML
    sources: gr.HTML
    download: gr.DownloadButton
    to_chat: gr.Button
    state: gr.State
    follow: FollowControls


@dataclass
class CardsTab:
    pick: gr.Radio
    text: gr.Markdown
    sources: gr.HTML


def plan_tab(adv) -> PlanTab:
    """The form, the plan with its timeline, its sources, the download and the hand-over to the chat."""
    kb = adv.snapshot.knowledge
    data = PlanData.from_kb(kb)
    with gr.Tab("转型规划", id="plan", elem_id="plan-tab"):
        state = gr.State(None)  # inside the tab: a State between tabs makes Gradio draw a tab twice
        gr.Markdown(PLAN_INTRO)
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=300):
                form = [
                    gr.Radio(list(kb.role_names), label="现在的岗位", elem_id="plan-role"),
                    gr.Number(label="工作年限（年）", precision=0, elem_id="plan-years"),
                    gr.Radio(list(data.levels), label="级别", elem_id="plan-level"),
                    gr.Radio(list(data.goals), label="想要什么", elem_id="plan-goal"),
                    gr.Number(label="存款够几个月生活费", elem_id="plan-savings"),
                    gr.Number(label="每周能投入几小时", elem_id="plan-hours"),
                    gr.Textbox(label="一句话说说你的情况（选填）", max_lines=3, elem_id="plan-note"),
                ]
                go = gr.Button("生成我的转型计划", variant="primary", elem_id="plan-go")
                error = gr.Markdown("", elem_id="plan-error")
            with gr.Column(scale=4, min_width=420):
                timeline = gr.HTML("", elem_id="plan-timeline")
                text = gr.Markdown(PLAN_IDLE, elem_id="plan-text", latex_delimiters=[])
                with gr.Row():
                    download = gr.DownloadButton("下载 Markdown", visible=False, elem_id="plan-download")
                    to_chat = gr.Button("带着这个计划去对话", interactive=False, elem_id="plan-to-chat")
                follow = follow_controls()
            with gr.Column(scale=3, min_width=300):
                gr.Markdown("### 来源")
                sources = gr.HTML(SOURCES_IDLE, elem_id="plan-sources")
    return PlanTab(form, go, error, text, timeline, sources, download, to_chat, state, follow)


def cards_tab(adv) -> CardsTab:
    names = adv.card_names()
    text, sources = plan_handlers.show_card(adv, names[0])
    with gr.Tab("岗位速览", id="cards", elem_id="cards-tab"), gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            pick = gr.Radio(names, value=names[0], label="选一个岗位", elem_id="card-pick")
            card = gr.Markdown(text, elem_id="card-text", latex_delimiters=[])
        with gr.Column(scale=2, min_width=300):
            gr.Markdown("### 来源")
            card_sources = gr.HTML(sources, elem_id="card-sources")
    return CardsTab(pick, card, card_sources)
