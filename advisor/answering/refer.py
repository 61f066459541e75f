""" "第二步再细说说", "中间那个", "最后一个呢": a follow-up that points into the list the previous answer
showed (its headings: paths, persons, roles; or its numbered items: steps, stages). The item pointed to
is put into the question, so retrieval finds its passage and the composer leans to it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from advisor.answering.state import Intent, State
from advisor.grounding.format import strip_markers
from advisor.kb.facts import Knowledge, Person
from advisor.kb.knowledge_map import KnowledgeMap, heading_label, squash
from advisor.text.tokens import PERSON_POINTER, char_pairs

_NUMBERS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_POINTER = re.compile(
    r"第\s*([一二两三四五六七八九十\d]{1,2})\s*(步|个|条|点|阶段|种|位|项|类|段)"
    r"|(中间|最后|最末|头)\s*[那这]?\s*[一]?\s*(步|个|条|点|阶段|种|位|项|类|段)"
    r"|(先(?:做|干|搞|弄)点?(?:啥|什么)|从哪(?:开始|下手|入手|起步)|先从哪)"  # after steps: the first
)
_HEADING = re.compile(r"^\*\*(.+?)\*\*\s*$")
_ITEM = re.compile(r"^-\s+(?:(\d{1,2})[.、]\s*)?(.+)$")
_COUNTED = re.compile(r"^\d{1,2}[.、]|^\S{1,6}?[一二三四五六七八九十]\s*[:：]")
_PATH_WORD = re.compile(r"路|方向|选择")
MAX_LENGTH = 24  # longer questions say what they want in their own words


def number_said(raw: str) -> int:
    """A number written as digits or as one Chinese numeral ("3", "三", "两"); 0 for anything else."""
    return int(raw) if raw.isdigit() else _NUMBERS.get(raw, 0)


def _position(m: re.Match) -> str | int:
    if m.group(5):
        return 1
    if m.group(1):
        return number_said(m.group(1))
    return {"中间": "middle", "最后": "last", "最末": "last", "头": 1}[m.group(3)]


class _Shown(NamedTuple):
    """The lists of the previous answer: its group headings, its numbered items (steps, stages), and
    every bullet line as shown."""

    headings: list[str]
    numbered: list[str]
    bullets: list[str]
    rows: list[str]  # the labelled lines under the answer's first heading (the toolkit's templates)


def _lists(shown: str) -> _Shown:
    lists = _Shown([], [], [], [])
    first = shown.lstrip().startswith("**")  # still under the answer's first heading
    for k, line in enumerate(shown.splitlines()):
        line = line.strip()
        h = _HEADING.match(line)
        if h:
            lists.headings.append(h.group(1))
            first = first and k == 0
            continue
        if line.startswith("- "):
            lists.bullets.append(line[2:])
            # "转型数据看板模板（监控转型效果）：…": a list the asker may point into by position
            if first and k > 0 and _ROW.match(line[2:]):
                lists.rows.append(line[2:])
        item = _ITEM.match(line)
        if item and item.group(1):
            lists.numbered.append(f"{item.group(1)}. {item.group(2)}")
        elif item and (circled := _CIRCLED.match(item.group(2))):  # "② 建立流程化机制:…"
            lists.numbered.append(f"{_CIRCLES.index(circled.group(1)) + 1}. {item.group(2)[circled.end() :]}")
    return lists


_CIRCLES = "①②③④⑤⑥⑦⑧⑨⑩"
_CIRCLED = re.compile(rf"^([{_CIRCLES}])\s*")
_ROW = re.compile(r"^[^:：，,。]{2,30}[:：]")  # "转型数据看板模板（监控转型效果）：…"


def _enumerated(shown: str, question: str) -> list[str]:
    """The items of a list said in one line ("“需求定义、产品规划、项目管理、迭代优化”四大模块") whose kind
    the question names ("那几块", "哪几个方面"): the list it points into."""
    for m in _INLINE_LIST.finditer(shown):
        items = [i.strip() for i in m.group(1).split("、")]
        count = number_said(m.group(2))
        noun = m.group(3)
        if len(items) == count >= 2 and noun and noun[-1] in question:
            return items
    return []


_INLINE_LIST = re.compile(
    r"[“\"]([^”\"]{4,80}?)[”\"]\s*([两一二三四五六七八九\d])\s*(?:大|个|类|项|种|条)?\s*([\u4e00-\u9fff]{1,2})"
)


def _label(item: str) -> str:
    """What a line of a list is called: the part before its first colon or dash ("活动运营:制造…")."""
    return re.split(r"[:：—]", item, maxsplit=1)[0]


# "搞活动的那个", and "做数据那种的": one of a list described by what it works on
_DESCRIBED = re.compile(
    r"([\u4e00-\u9fffA-Za-z]{2,8})的那[个位条种项]|(?:做|搞|干|管)([\u4e00-\u9fffA-Za-z]{2,6}?)那[种类个]的"
)


# "你说的那个用AI做营销的": a line of the last answer, described in the asker's words
_SAID_ONE = re.compile(
    r"(?:说的|提到的|讲的)那[个位条种项]([\u4e00-\u9fffA-Za-z]{2,10}?)(?:的|[\s，,。？?]|$)"
)


def _said_before(question: str, headings: list[str]) -> str | None:
    """The heading of the last answer that shares most character pairs (two at least) with the words
    after "你说的那个", when one does."""
    m = _SAID_ONE.search(question)
    if m is None:
        return None
    pairs = char_pairs(m.group(1).lower())
    scored = [(sum(p in h.lower() for p in pairs), strip_markers(h).strip()) for h in headings]
    scored.sort(reverse=True)
    if not scored or scored[0][0] < 2 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return re.sub(r"^\d{1,2}[.、]\s*", "", scored[0][1])[:80]


def _described(question: str, shown: str) -> str | None:
    """ "搞活动的那个": the one line of the list shown whose label shares two characters with the words
    that describe it; "你说的那个用AI做营销的": the heading that shares most with them."""
    lists = _lists(shown)
    said = _said_before(question, lists.headings)
    if said is not None:
        return said
    m = _DESCRIBED.search(question)
    if m is None:
        return None
    words = m.group(1) or m.group(2)
    pairs = char_pairs(words)
    lines = [strip_markers(line).strip() for line in (*lists.headings, *lists.bullets)]
    found = [line for line in lines if any(p in _label(line) for p in pairs)]
    return found[0][:80] if len(found) == 1 else None


def pointed_item(question: str, shown: str, ordinal: re.Pattern | None = None) -> str | None:
    """The item of the previous answer the question points to, cleaned of citation markers; None when it
    points nowhere (or names a path by position, which the conversation state resolves)."""
    if not shown or len(question) > MAX_LENGTH:
        return None
    m = _POINTER.search(question)
    if m is None:
        return _described(question, shown)
    unit = m.group(2) or m.group(4) or "步"
    headings, numbered, _, rows = _lists(shown)
    if (m.group(5) or unit == "步") and len(numbered) < 2:
        # "那我先做啥" points into steps shown, not into a list of paths; "第二步怎么搞" after one step
        # shown is the path's second step (the plan reads its number), not the second heading
        return None
    counted = [h for h in headings if _COUNTED.search(h)]  # "痛点二:…", "2. 横向跨界…": the list itself
    headings = counted if len(counted) >= 2 else headings  # not the stories shown beside it
    items = numbered if unit in ("步", "点", "阶段", "段", "项") and numbered else headings or numbered
    enumerated = _enumerated(shown, question)
    if enumerated and len(counted) < 2 and len(numbered) < 2:
        items = enumerated  # "你说的那几块里第三个" after "“需求定义、产品规划、项目管理、迭代优化”四大模块"
    if ordinal is not None and ordinal.search(question):
        # "第二条" is a path by position (the conversation state resolves it) unless the answer showed
        # one path's numbered steps, or opened with a list of named rows (the toolkit's templates), and
        # the question names no path word: then it is the second step, or row
        if len(counted) >= 2 or _PATH_WORD.search(question) or (len(numbered) < 2 and len(rows) < 2):
            return None
        items = numbered if len(numbered) >= 2 else rows
    elif len(counted) < 2 and len(numbered) < 2 and len(rows) >= 2:
        items = rows
    if len(items) < 2:
        return None
    pos = _position(m)
    index = {"middle": len(items) // 2, "last": len(items) - 1}.get(
        pos, pos - 1 if isinstance(pos, int) else -1
    )
    if items is numbered and isinstance(pos, int):
        # the item numbered so, where the list shown starts later ("② …" after a first item cut short)
        index = next((k for k, it in enumerate(items) if it.startswith(f"{pos}. ")), index)
    if not 0 <= index < len(items):
        return None
    chosen = strip_markers(items[index]).strip()
    if items is not numbered:  # a heading ("2. 横向跨界:…") is named without its number: it is no step
        chosen = re.sub(r"^\d{1,2}[.、]\s*", "", chosen)
    return chosen[:80]


def pointing(question: str, shown: str, kb: Knowledge) -> tuple[str | None, str]:
    """(the item the question points to in ``shown``, the question as searched and composed for): "第二步
    再细说说" is searched with the step it points to, read again the same way when the conversation is
    replayed."""
    item = pointed_item(question, shown, kb.pattern("ordinal")) if question else None
    return item, f"{question}（{item}）" if item else question


def person_shown(question: str, shown: str, persons: Sequence[Person]) -> Person | None:
    """ "她后来呢" after an answer that told one person's story among other things (a role's paths with
    王姐's story beside them): the one story shown whose pronoun the question uses. Or a path's case
    shown ("案例:某短视频产品经理小陈…"): "他具体是咋发现问题的" is the case whose line shares most with the
    question when two were shown."""
    if not shown or len(question) > MAX_LENGTH:
        return None
    lists = _lists(shown)
    told = [
        p
        for p in persons
        if p.heading and _points_to(p, question) and any(p.heading in h for h in lists.headings)
    ]
    if told:
        return told[0] if len(told) == 1 else None
    pairs = char_pairs(question)
    named = [p for p in persons if not p.heading]
    # a line naming one of them is that person's case; one naming several sums up ("老韩从…，小魏从…")
    lines = [line for line in lists.bullets if sum(p.name in line for p in named) == 1] or lists.bullets
    cases = [
        (sum(q in line for q in pairs), p)
        for p in named
        if _points_to(p, question)
        for line in lines
        if p.name in line
    ]
    best = max((n for n, _ in cases), default=0)
    found = {p.name: p for n, p in cases if n == best}
    return next(iter(found.values())) if len(found) == 1 else None


def _points_to(person: Person, question: str) -> bool:
    """The question's 他/她 fits the person, or it points without one ("那人后来呢")."""
    return person.pronoun in question or bool(PERSON_POINTER.search(question))


def named_beside(asked: Intent, question: str, item: str) -> bool:
    """The question names, beside its pointer, something the item pointed to does not say: a role
    explained, a person or a path said by name decides what "第一个…" means."""
    low, said = question.lower(), squash(item)
    names = [*asked.subjects, asked.person or "", asked.path or ""]
    return any(n and n.lower() in low and squash(n) not in said for n in names)


def pointed_intent(asked: Intent, prior: State, item: str, kmap: KnowledgeMap) -> Intent:
    """The intent once the item a follow-up points to is known: "第二条具体咋做" after one path's steps
    is a step of that path; "那第二个具体要怎么准备" after a role's three paths is the second path (named
    by the guide's word, or by its heading in an article's own words: "05 | 第三条路：往斜里走…"); "搞活动
    的那个" after the six operations roles is 活动运营."""
    kb = kmap.kb
    if asked.kind == "path" and prior.topic == "path" and prior.path and asked.path != prior.path:
        return replace(asked, path=prior.path, follow_up=True)
    said = squash(item)
    headed = next(
        (
            p.name
            for p in (kmap.paths(prior.role) if prior.role else ())
            if said
            and (said in squash(p.section.heading) or squash(heading_label(p.section.heading)) in said)
        ),
        None,
    )
    named = next(iter(kb.paths_named(item)), None) or headed
    if named and prior.role and prior.topic == "paths" and asked.kind in ("general", "paths"):
        return replace(asked, kind="path", path=named, role=asked.role or prior.role, follow_up=True)
    label = _label(item)
    subject = next((e.name for e in kb.explainers if any(a in label for a in e.aliases)), None)
    if subject and prior.topic in ("family", "explain", "compare"):
        return replace(asked, kind="explain", subjects=(subject,), follow_up=True)
    if asked.kind == "path" and not named and prior.topic not in ("path", "paths") and asked.path not in item:
        # "第二条细说" after an answer's own numbered list ("② 建立流程化机制…"): that item, not a path by
        # its position, when no path was on the table
        return replace(asked, kind="general", path=None, follow_up=True)
    return asked


# "指南里对这种做法怎么说", "这样靠谱吗", "你刚说的那个呢": words that stand for what was said before.
_BACK = re.compile(r"这种|这样|这么|这个|这些|这事|那种|那样|那么做|那个做法|上面|刚才|刚刚|你说的|前面说")


def points_back(question: str) -> bool:
    """The question stands on the one before it: a word in it stands for what was said ("这种做法"),
    so the words of the earlier question are what it is about."""
    return len(question) <= MAX_LENGTH and bool(_BACK.search(question))
