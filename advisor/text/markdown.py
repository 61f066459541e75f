"""Markdown as text: sections by heading, sentences with exact offsets, over-long sentences cut."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A Markdown heading, or one as 公众号 and 小红书 posts mark it: a line after a bar ("▍先说结论"), a major
# level, or opening with a bracketed name ("【第一条路】留在公司里往上走"), a minor one; short, and no sentence.
_HEADING = re.compile(
    r"^(?:(?P<hashes>#{1,6})[ \t]+(?P<text>.+?)[ \t#]*"
    r"|[▍▌■][ \t]*(?P<bar>[^\n]{1,40}?)[ \t]*"
    r"|(?P<bracket>【[^】\n]{1,20}】[^\n。！？!?；;]{0,30}?)[ \t]*)$",
    re.MULTILINE,
)
BAR_LEVEL, BRACKET_LEVEL = 2, 3
# A sentence runs to a Chinese/Western terminator (plus closing quotes/brackets) or a line break.
_SENTENCE = re.compile(r"[^。！？!?；;…\n]*(?:[。！？!?；;…]+[”’\"」』）)]*|\n|$)")


@dataclass(frozen=True)
class HeadingSpan:
    """The text under one heading path (before any child heading)."""

    path: tuple[str, ...]
    start: int
    end: int


def split_sections(body: str) -> list[HeadingSpan]:
    """Sections by Markdown heading; text before the first heading gets an empty path."""
    sections: list[HeadingSpan] = []
    stack: list[tuple[int, str]] = []
    pos = 0
    path: tuple[str, ...] = ()
    for m in _HEADING.finditer(body):
        if m.start() > pos:
            sections.append(HeadingSpan(path, pos, m.start()))
        level, text = _heading_level(m)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
        path = tuple(t for _, t in stack)
        pos = m.end() + 1 if m.end() < len(body) and body[m.end()] == "\n" else m.end()
    if pos < len(body):
        sections.append(HeadingSpan(path, pos, len(body)))
    return sections


def _heading_level(m: re.Match) -> tuple[int, str]:
    if m.group("hashes"):
        return len(m.group("hashes")), m.group("text").strip()
    if m.group("bar"):
        return BAR_LEVEL, m.group("bar").strip()
    return BRACKET_LEVEL, m.group("bracket").strip()


# Quote marks, counted rather than paired: the stories open quotes with ” as well as “.
QUOTE_MARK = re.compile('[“”"]')


def ends_inside_quote(text: str) -> bool:
    """``text`` (from a line's start) ends inside a quote: it holds an odd number of quote marks."""
    return len(QUOTE_MARK.findall(text)) % 2 == 1


def split_sentences(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets, whitespace trimmed) inside ``body[start:end]``."""
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(body, start, end):
        s, e = m.start(), m.end()
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


_SOFT_BREAK = re.compile(r"[，,、：:（(“\s]")


def cap_spans(body: str, spans: list[tuple[int, int]], max_len: int) -> list[tuple[int, int]]:
    """Split the rare sentence longer than ``max_len`` (e.g. text without punctuation) at its last
    comma-like break before the limit, or hard at the limit when there is none."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while e - s > max_len:
            window = body[s : s + max_len]
            breaks = [m.end() for m in _SOFT_BREAK.finditer(window) if m.end() > max_len // 2]
            cut = s + (breaks[-1] if breaks else max_len)
            out.append((s, cut))
            s = cut
        out.append((s, e))
    return out
