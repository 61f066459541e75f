"""Downloads made in memory and handed to the browser as ``data:`` links: the conversation (Markdown and
JSON, each answer with its numbered sources) and a transition plan (Markdown with its chart as an SVG
file beside it, in a zip, and a self-contained HTML page). Nothing is written to disk, so nothing is
left behind in a temporary folder."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import zipfile
from datetime import date

from advisor.grounding.citations import Citation
from advisor.planning.timeline import timeline_svg

EXPORT_NAME = "转型顾问-对话-{day}"
NO_EXPORT = '<span class="src-empty">回答之后可以在这里导出对话（Markdown / JSON）。</span>'


def data_link(name: str, mime: str, payload: bytes, label: str, elem_id: str) -> str:
    """An ``<a download>`` that saves ``payload`` as ``name`` without a server round trip."""
    uri = f"data:{mime};base64," + base64.b64encode(payload).decode("ascii")
    return (
        f'<a class="dl" id="{elem_id}" href="{uri}" download="{html.escape(name, quote=True)}">'
        f"{html.escape(label)}</a>"
    )


def _safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "-", text).strip("-")


def source_entry(c: Citation | dict) -> dict:
    """What an exported source says: number, article title, heading path, quote, the article's link."""
    get = c.get if isinstance(c, dict) else lambda k, d=None: getattr(c, k, d)
    return {
        "n": get("n"),
        "title": get("title") or "",
        "section": get("section") or "",
        "quote": " ".join(str(get("quote") or "").split()),
        "link": get("source") or "",
    }


def sources_list(entries: list[dict]) -> list[str]:
    """A numbered Markdown list: ``1. **title** › heading — “quote” <link>``."""
    lines = []
    for e in entries:
        where = f"**{e['title']}**" + (f" › {e['section']}" if e["section"] else "")
        link = f" [原文]({e['link']})" if e["link"].startswith(("http://", "https://")) else ""
        lines.append(f"{e['n']}. {where} — “{e['quote']}”{link}")
    return lines


def conversation(history: list[dict], meta: dict) -> list[dict]:
    """The conversation as data: each question and answer, an answer with its sources."""
    out = []
    for i, m in enumerate(history):
        turn = {"role": m["role"], "content": m["content"]}
        info = (meta or {}).get(str(i))
        if m["role"] == "assistant" and info:
            turn["sources"] = [source_entry(c) for c in info.get("citations") or []]
        out.append(turn)
    return out


def conversation_markdown(turns: list[dict]) -> str:
    lines = ["# 转型顾问 · 对话记录", ""]
    for t in turns:
        lines += [f"## {'我' if t['role'] == 'user' else '转型顾问'}", "", t["content"], ""]
        if t.get("sources"):
            lines += ["**来源**", "", *sources_list(t["sources"]), ""]
    return "\n".join(lines)


def export_links(history: list[dict], meta: dict, day: date | None = None) -> str:
    """「导出对话」: Markdown and JSON downloads of ``history`` (plain, as typed and answered)."""
    if not history:
        return NO_EXPORT
    turns = conversation(history, meta)
    name = EXPORT_NAME.format(day=(day or date.today()).isoformat())
    md = conversation_markdown(turns).encode("utf-8")
    js = json.dumps({"conversation": turns}, ensure_ascii=False, indent=2).encode("utf-8")
    return (
        "导出对话："
        + data_link(f"{name}.md", "text/markdown", md, "Markdown", "export-md")
        + data_link(f"{name}.json", "application/json", js, "JSON", "export-json")
    )


# -- the plan --------------------------------------------------------------------------------------
def plan_name(plan, day: date | None = None) -> str:
    """``转型规划-运营经理-跨界-2026-12-04``: role, goal and date, so downloads do not overwrite each other."""
    i = plan.inputs
    return _safe_name(f"转型规划-{i.role}{i.level}-{i.goal}-{(day or date.today()).isoformat()}")


def plan_markdown(plan, image: str) -> str:
    """The plan with its chart as ``image`` (a file name beside it) and sources as a numbered list."""
    entries = [source_entry(c) for c in plan.citations]
    chart = f"![90 天节奏：时间线]({image})"
    text = plan.text
    timeline = plan.section("timeline")
    if timeline is not None:
        text = text.replace(timeline.heading + "\n", f"{timeline.heading}\n\n{chart}\n\n", 1)
    return text + "\n\n## 来源\n\n" + "\n".join(sources_list(entries)) + "\n"


def plan_html(plan, svg: str) -> str:
    """A self-contained page: the plan rendered by markdown-it, the chart inline, readable offline."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(plan_markdown(plan, "CHART.svg"))
    body = body.replace('<p><img src="CHART.svg" alt="90 天节奏：时间线" /></p>', svg)
    title = html.escape(plan.text.splitlines()[0].lstrip("# ") if plan.text else "转型规划")
    style = (
        "body{font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;max-width:860px;"
        "margin:2em auto;padding:0 1em;line-height:1.7;color:#1f2937}table{border-collapse:collapse}"
        "td,th{border:1px solid #d1d5db;padding:4px 8px}svg{max-width:100%;height:auto}"
    )
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{style}</style></head><body>{body}</body></html>"
    )


def plan_downloads(plan, day: date | None = None) -> str:
    """The plan's download links: a zip (Markdown + its chart as an SVG file) and an HTML page."""
    name = plan_name(plan, day)
    svg = timeline_svg(plan.timeline)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name}/{name}.md", plan_markdown(plan, "timeline.svg"))
        z.writestr(f"{name}/timeline.svg", svg)
    page = plan_html(plan, svg).encode("utf-8")
    return data_link(
        f"{name}.zip", "application/zip", buf.getvalue(), "下载 Markdown（含图）", "plan-download"
    ) + (data_link(f"{name}.html", "text/html", page, "下载网页版", "plan-download-html"))
