"""Markdown as text: sections by heading, sentences with exact offsets, over-long sentences cut."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A Markdown heading, or one as 公众号 and 小红书 posts mark it: a line after a bar ("▍先说结论"), a major
# level, or opening with a bracketed name ("【第一条路】留在公司里往上走"), a minor one; short, and no sentence.
# Two more an editor or a 知乎 answer uses, each a paragraph of its own: a numbered line ("（三）往哪儿走：
# 我看下来比较靠谱的三条路", "二、…"), a major level; a short line set in bold alone ("**说说老何**"), one
# level under the heading above it — not a label that opens a list ("**具体怎么走：**") nor a question
# (an FAQ's "**问：…？**", read as such by ``structure.asked``), and in an article with "#" headings only
# where it numbers a path ("**第一条路：去甲方**"): there a bold line stresses a point.
_HEADING = re.compile(
    r"^(?:(?P<hashes>#{1,6})[ \t]+(?P<text>.+?)[ \t#]*"
    r"|[▍▌■][ \t]*(?P<bar>[^\n]{1,40}?)[ \t]*"
    r"|(?P<bracket>【[^】\n]{1,20}】[^\n。！？!?；;]{0,30}?)[ \t]*"
    r"|(?P<numbered>(?:[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)[^\n。！？!?；;*]{2,30}?)[ \t]*"
    r"|\*\*(?P<bold>[^*\n]{2,40}?)\*\*[ \t]*)$",
    re.MULTILINE,
)
BAR_LEVEL, BRACKET_LEVEL, NUMBERED_LEVEL = 2, 3, 2
_NOT_A_HEAD = re.compile(r"[:：？?]$|^(?:问|Q\d*|提问)\s*[\d一二三四五六七八九十]*\s*[:：]")
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
    above = 1  # the level of the last heading a bold line or a spoken path can sit under
    for start, end, fixed, text in _headings(body):
        if start < pos:
            continue  # a spoken path's sentence inside a heading already taken
        if start > pos:
            sections.append(HeadingSpan(path, pos, start))
        level = min(fixed or above + 1, 6)
        above = fixed or above
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
        path = tuple(t for _, t in stack)
        rest = body[end:]
        # past the heading's line end; a spoken path's paragraph goes on after its opening sentence
        pos = end + 1 if rest[:1] == "\n" else end + len(rest) - len(rest.lstrip(" \t"))
    if pos < len(body):
        sections.append(HeadingSpan(path, pos, len(body)))
    return sections


# "第一条路", "第二种走法": a path numbered the way a talk or a blog says it (a comma or colon follows)
PATH_NUMBER = r"第\s*[一二三四五]\s*[条种]\s*(?:路|走法|方向|选择)?\s*"
PATH_OPENER = rf"{PATH_NUMBER}[，,：:]"
# A talk tells its paths in paragraphs that open with their number ("第一条路，往收入那边靠，转续约销售或者
# 大客户经理。这条路适合…"): that opening sentence heads the paragraph, one level under the heading above.
_SPOKEN_PATH = re.compile(rf"^{PATH_OPENER}[^。！？!?\n]{{2,60}}[。！？!?]", re.MULTILINE)
_HASHED = re.compile(r"^#{1,6}[ \t]", re.MULTILINE)
_NUMBERED_PATH = re.compile(rf"^{PATH_OPENER}")


def _headings(body: str) -> list[tuple[int, int, int | None, str]]:
    """Every heading as (start, end, level, text) in the order of the body; the level is ``None`` for a
    bold line or a spoken path, which sit one level under the heading above."""
    found: list[tuple[int, int, int | None, str]] = []
    hashed = _HASHED.search(body) is not None
    for m in _HEADING.finditer(body):
        bold = m.group("bold")
        if (m.group("numbered") or bold) and not _own_paragraph(body, m, bold):
            continue
        if bold and hashed and not _NUMBERED_PATH.match(bold):
            continue  # under "#" headings a bold line stresses a point ("**痛点一：…**"), unless it numbers a path
        if m.group("hashes"):
            found.append((m.start(), m.end(), len(m.group("hashes")), m.group("text").strip()))
            continue
        kind = next(k for k in ("bar", "bracket", "numbered", "bold") if m.group(k))
        found.append((m.start(), m.end(), _LEVELS.get(kind), m.group(kind).strip()))
    for m in _SPOKEN_PATH.finditer(body):
        rest = body[m.end() : m.end() + 1]
        if (m.start() == 0 or body[max(0, m.start() - 2) : m.start()] == "\n\n") and rest not in ("", "\n"):
            found.append((m.start(), m.end(), None, m.group(0).strip()))
    return sorted(found, key=lambda h: h[:2])


_LEVELS = {"bar": BAR_LEVEL, "bracket": BRACKET_LEVEL, "numbered": NUMBERED_LEVEL}


def _own_paragraph(body: str, m: re.Match, bold: str | None) -> bool:
    """A numbered or bold line heads what follows when it stands alone between blank lines (not an item
    of a list) and, in bold, is neither a label nor a question."""
    before, after = body[max(0, m.start() - 2) : m.start()], body[m.end() : m.end() + 2]
    opens = m.start() == 0 or before == "\n\n"
    if bold is not None:  # "**第一条路：去甲方**" may have its list right under it
        return opens and not _NOT_A_HEAD.search(bold.strip())
    return opens and after in ("", "\n", "\n\n")


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
