"""The conventions of an answer's text, in one place: which lines the advisor writes itself (notices,
labels) and are therefore never claims, and the markers the citation check adds.

The composer, the citation check, the app and the eval metrics all read these; none keeps its own list.
"""

from __future__ import annotations

import re

EXTRACTIVE_HEADER = (
    "【摘录模式】以下句子原样摘自知识库文章，未经改写，括号中的编号对应下方来源。"
    "如需生成式的完整建议，请配置大模型（设置 ADVISOR_LLM，例如 openai:deepseek-chat，见 README）。"
)
INJECTION_NOTE = "（问题中要求改变我行为的指令已被忽略，我只依据知识库回答。）"
FALLBACK_NOTICE = "⚠️ {notice}，以下改用摘录模式作答。"
# Said in one line when the vector store (Chroma) is down or hung and BM25 alone found the passages.
DENSE_DOWN_NOTICE = "⚠️ 语义检索服务暂时不可用，本次回答只按关键词检索资料。"
# The chat model is busy with other answers (every model slot taken): the excerpt answer, at once.
LLM_BUSY = "大模型正忙（同时在写的回答已满）"
PLAN_NOTICE = "⚠️ {notice}：计划照样按文章原文生成，只是少了大模型写的串联说明。"
UNSUPPORTED_MARK = "〔未找到出处〕"
# The fixed phrasing for what the articles do not cover; the app and the evals recognise it.
NOT_COVERED = "文章没有讲到"
NOT_COVERED_LINE = NOT_COVERED + "「{focus}」。"

# Notice lines: what the advisor says about the answer, not part of its content.
NOTICE_PREFIXES = ("【摘录模式】", "⚠", "（问题中")
# Lines the advisor writes itself (notices, section labels, headings, table rows, what is not covered):
# never claims needing a source of their own (markers in them still count).
LABEL_PREFIXES = (*NOTICE_PREFIXES, "**", "#", "|", NOT_COVERED, "资料中没有提到")

_MARKERS = re.compile(r"\[\d{1,3}\]|" + re.escape(UNSUPPORTED_MARK))


def is_label_line(line: str) -> bool:
    """A line the advisor writes itself: a notice, a heading, a table row, "文章没有讲到…", or a lead
    line that ends with a colon ("按文章的划分，运营中层有3条路（…）：")."""
    stripped = line.strip()
    return stripped.startswith(LABEL_PREFIXES) or (stripped.endswith(("：", ":")) and "[" not in stripped)


def is_notice_line(line: str) -> bool:
    return line.lstrip().startswith(NOTICE_PREFIXES)


def strip_markers(text: str) -> str:
    """The text without ``[n]`` citation markers and unsupported-claim marks."""
    return _MARKERS.sub("", text)


def answer_body(text: str) -> str:
    """The answer without its notice lines and markers: what the user reads as the answer itself."""
    lines = [ln for ln in text.splitlines() if not is_notice_line(ln)]
    return strip_markers("\n".join(lines)).strip()
