"""Handlers of the 「我的进展」 tab, at module level like ``plan_handlers.py``: each takes the ``Advisor``
first (bound by the layout) and the components' values after it.

Bad input leaves the form as it is and says what to fix, in Chinese; a wrong or deleted token gets the
store's one message, which reveals nothing. The token is never logged.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path

import gradio as gr

from advisor.errors import AdvisorError
from advisor.planning.timeline import svg_data_uri
from advisor.progress.follow import named_numbers
from advisor.progress.store import token_hash
from advisor.web.render import SOURCES_IDLE, display_text, render_sources

log = logging.getLogger(__name__)
IDLE = "还没有跟进的计划：在「转型规划」生成计划后，点「保存并跟进这个计划」；或在左边填入你的跟进口令。"
FAILED = "抱歉，出了点问题（已记录日志）。请稍后重试。"
SAVED = "✅ 已保存并开始跟进。你的口令（浏览器已记住；换设备时用它或私人链接 `?t=口令` 打开）：`{token}`"
CHECKED = "✅ 已记下这一周。"
DELETED = "🗑️ 已删除这个计划和它的全部打卡记录（{rows} 条），浏览器也忘掉了口令。"


def _pairs(text: str | None) -> dict[str, str]:
    """ "服务客户数=3" lines (or ones separated by ，/,/；) as a mapping; the numbers are checked later."""
    lines = (text or "").replace("，", "\n").replace(",", "\n").replace("；", "\n").splitlines()
    return named_numbers([item.strip() for item in lines if item.strip()], "指标")


@functools.cache
def _downloads() -> Path:
    """One folder per process for the progress downloads."""
    return Path(tempfile.mkdtemp(prefix="advisor-progress-"))


def _download(report, token: str) -> str:
    """The report as a Markdown file, rewritten in its plan's own folder on each view (named by a digest,
    never by the token): a server running for months keeps one file per plan, not one folder per view."""
    folder = _downloads() / token_hash(token)[:16]
    folder.mkdir(exist_ok=True)
    path = folder / "my-progress.md"
    image = f"![每周指标]({svg_data_uri(report.svg)})" if report.svg else ""
    path.write_text(report.to_markdown(image) + "\n", "utf-8")
    return str(path)


def shown(adv, token: str, status: str = "") -> tuple:
    """(status, chart, text, sources, download, metric prefill, delete button) for the plan ``token``."""
    report = adv.progress(token, with_plan=True)
    followed = adv.progress_store.load(token)
    chart = f'<img id="progress-chart-img" src="{svg_data_uri(report.svg)}" alt="每周指标" style="max-width:100%">'
    prefill = "\n".join(f"{m.name}=" for m in followed.metrics)
    page = adv.progress(token)  # the page shows the progress; the download adds the whole plan
    return (
        status,
        chart if report.svg else "",
        display_text(page.text),
        render_sources(page.as_answer(), adv.snapshot.bodies),
        gr.update(value=_download(report, token), visible=True),
        prefill,
        gr.update(visible=True),
    )


def idle(status: str = "") -> tuple:
    return status, "", IDLE, SOURCES_IDLE, gr.update(visible=False), "", gr.update(visible=False)


def _open(adv, token: str, status: str = "") -> tuple:
    """(stored token, token box, chat plan context, *shown) for ``token``; the store's message if wrong."""
    token = (token or "").strip()
    if not token:
        return "", "", gr.skip(), *idle()
    try:
        followed = adv.progress_store.load(token)
        return token, token, {**followed.inputs, "progress": token}, *shown(adv, token, status)
    except AdvisorError as exc:
        return gr.skip(), gr.skip(), gr.skip(), *idle(f"⚠️ {exc}")
    except Exception:
        log.exception("opening a followed plan failed")
        return gr.skip(), gr.skip(), gr.skip(), *idle(f"⚠️ {FAILED}")


def on_load(adv, stored: str, request: gr.Request) -> tuple:
    """At page load: the plan of a ``?t=`` link, else the one this browser remembers."""
    linked = (request.query_params.get("t") if request is not None else "") or ""
    return _open(adv, linked or stored)


def open_token(adv, token: str) -> tuple:
    return _open(adv, token)


def save(adv, plan: dict | None, pay, targets: str) -> tuple:
    """Save the plan shown on the plan tab and open the progress tab on it."""
    if not plan:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip(), *idle("⚠️ 先生成一个计划。")
    try:
        token = adv.follow(plan, _pairs(targets), pay)
    except AdvisorError as exc:
        return gr.Tabs(selected="progress"), gr.skip(), gr.skip(), gr.skip(), *idle(f"⚠️ {exc}")
    except Exception:
        log.exception("saving a plan to follow failed")
        return gr.skip(), gr.skip(), gr.skip(), gr.skip(), *idle(f"⚠️ {FAILED}")
    return gr.Tabs(selected="progress"), *_open(adv, token, SAVED.format(token=token))


def check_in(adv, token: str, values: str, hours, spent, savings, note: str, day: str) -> tuple:
    """Record the week; bad input keeps the form and names every problem."""
    keep = (gr.skip(),) * 6
    raw = {"hours": hours, "spent": spent, "savings_months": savings, "note": note, "day": day}
    try:
        if not token:
            return "⚠️ 还没有跟进的计划：先保存一个计划，或填入你的跟进口令。", *keep
        adv.check_in(token, {**raw, "values": _pairs(values)})
        return shown(adv, token, CHECKED)
    except AdvisorError as exc:
        return f"⚠️ {exc}", *keep
    except Exception:
        log.exception("a check-in failed")
        return f"⚠️ {FAILED}", *keep


def delete(adv, token: str) -> tuple:
    """Delete everything stored for the plan, and forget the token in this browser."""
    try:
        rows = adv.forget(token or "")
    except AdvisorError as exc:
        return "", "", None, *idle(f"⚠️ {exc}")
    return "", "", None, *idle(DELETED.format(rows=rows))
