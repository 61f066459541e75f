"""The knowledge base as a map the composer can answer from: the guide's paths per role (with their
"适合…/关键是…" sentence, steps, advantage, case), the persons' stories, the explained roles, the
risk-control strategies and the toolkit — all located by the headings and labels that
``knowledge.yaml`` names, all as exact spans."""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from functools import cached_property

from advisor.kb.facts import Knowledge, SectionRef
from advisor.kb.names import CASE_PERSON
from advisor.text.markdown import PATH_NUMBER
from advisor.text.occurrences import Occurrences
from advisor.text.structure import (
    HEADING_NUMBER,
    REPLY_LABELS,
    Asked,
    Block,
    Section,
    Span,
    asked,
    asked_question,
    bold_line,
    find_section,
    outline,
    sentences,
    subtree,
    table_cells,
    tables,
)
from advisor.text.tokens import is_everyday, names_nothing

_JOB_NAMES = re.compile(r"\s*[/／、&]\s*")


def job_names(cell: str) -> list[str]:
    """The names a job table's first cell gives one job ("主编 / 内容主管" → 主编, 内容主管)."""
    return [n.strip() for n in _JOB_NAMES.split(cell) if 2 <= len(n.strip()) <= 12]


@dataclass(frozen=True)
class JobRow:
    """A row of a table that lists an article's jobs ("| 岗位 | 日常主要干什么 | 常见KPI | 月薪 |"): the
    job's names, the row, its table's header row and the section it is in."""

    names: tuple[str, ...]
    row: Block
    header: Block | None  # None: a labelled line of a list ("- PMO(项目管理办公室):站在部门…")
    section: Section


def job_table_rows(sections: list[Section], body: str, heads: Collection[str]) -> list[JobRow]:
    """The rows of every table among ``sections`` whose header opens with one of ``heads`` ("| 岗位 | …"),
    each with the names its first cell gives."""
    out = []
    for section in sections:
        for header, *rows in tables(section, body):
            if table_cells(body[header.span.start : header.span.end])[0] not in heads:
                continue
            for row in rows:
                names = tuple(job_names(table_cells(body[row.span.start : row.span.end])[0]))
                out += [JobRow(names, row, header, section)] if names else []
    return out


# "PMO(项目管理办公室):…", "敏捷教练 / Scrum Master:…": a list line that opens with the job it describes
_JOB_ITEM = re.compile(r"^([^:：，,。；;]{2,30}?)\s*[:：]")
_ASIDE = re.compile(r"[(（][^)）]*[)）]")


def job_item_rows(sections: list[Section], body: str, words: Collection[str]) -> list[JobRow]:
    """The list lines of every section whose heading names jobs (``words``: 岗位, 职位…) that open with a
    job's names and a colon ("- PMO(项目管理办公室):负责项目立项评审…"): the job described in the
    article's own words, as a job table's row is."""
    out = []
    for section in sections:
        if not any(w in section.heading for w in words):
            continue
        for block in section.blocks:
            m = _JOB_ITEM.match(body[block.span.start : block.span.end]) if block.kind == "item" else None
            names = tuple(job_names(_ASIDE.sub("", m.group(1)))) if m else ()
            out += [JobRow(names, block, None, section)] if names else []
    return out


_PAREN = re.compile(r"[(（].*$")
_OPENS = (":", "：")  # "具体可以这么走：": a line that opens what follows, not a point of its own
_FIGURE = re.compile(r"\d")
_ORDINAL = re.compile(r"^[\u4e00-\u9fff]{1,3}[一二三四五六七八九十\d]+\s*[:：]\s*")  # "痛点一:", "规则二:"
MIN_TOPIC_CHARS = 6  # "vs 运营经理" is a topic; "小结" is not
MAX_TOPICS = 600  # headings embedded as scope examples: bounded, so a ×100 corpus starts in seconds
_NUMBER = re.compile(r"^[(（]?[0-9一二三四五六七八九十]+[)）.、]\s*")
_OWN_NUMBER = re.compile(rf"^{HEADING_NUMBER}")  # "03 | ", "第二问："
# "具体怎么弄？", "怎么做？": a sentence that asks how, after which a talk tells the steps
_ASKS_HOW = re.compile(r"[？?]$|呢$|怎么[走做弄搞办]")
_OPENS_STEP = re.compile(r"^\s*(?:第[一二三四五]\s*[，,、]|首先|先|然后|再|接着|之后|最后|同时)")
MAX_PROSE_STEPS = 5
_SPOKEN_OPENER = re.compile(rf"^{PATH_NUMBER}[，,]")  # "第一条路，往收入那边靠，…"
MAX_BOLD_TOPIC = 40  # a line set in bold alone and this short heads what follows it; a longer one stresses


def _introduces_someone(text: str) -> bool:
    """A paragraph that introduces a person with figures: a case ("老葛，37 岁…年包从 85 万涨到了 95 万")."""
    return CASE_PERSON.search(text) is not None and _FIGURE.search(text) is not None


def _bold_head(line: str) -> str | None:
    """A short line set in bold alone, without its closing colon: "**痛点四：证书不再是护城河**"."""
    words = bold_line(line)
    if words is None or "*" in words:
        return None
    words = words[:-1] if words.endswith((":", "：")) else words
    return words if 2 <= len(words) <= MAX_BOLD_TOPIC else None


def _labelled(label: str, word: str, asked: bool) -> bool:
    """A label that starts with ``word`` ("适合谁："), or a question asked that holds it ("什么样的人适合？")."""
    return word in label if asked else label.startswith(word)


def heading_label(heading: str) -> str:
    """A heading without its number and trailing parenthesis: "2. 横向跨界:运营→私域增长顾问 / 内容电商操盘手";
    a parenthesis that holds a figure is a fact and stays ("初级PM(0-2年)")."""
    text = _NUMBER.sub("", heading)
    paren = _PAREN.search(text)
    return (text if paren and _FIGURE.search(paren.group(0)) else _PAREN.sub("", text)).strip()


def squash(text: str) -> str:
    """Lower-cased, without spaces: the form names are matched in."""
    return "".join(text.lower().split())


def run_said(name: str, text: str, n: int) -> bool:
    """``n`` characters of ``name`` in a row are in ``text`` ("本地生活" of "本地生活商务" in "在本地生活做地推")."""
    return any(name[i : i + n] in text for i in range(len(name) - n + 1))


@dataclass
class PathInfo:
    """One of a role's three paths in the guide."""

    role: str
    name: str
    index: int
    section: Section
    fit: Span | None = None  # the "适合…的中层,关键是 “…”" sentence
    key: Span | None = None  # from "关键是" to the end of that sentence
    steps: list[Block] = field(default_factory=list)
    advantage: Block | None = None
    cases: list[Block] = field(default_factory=list)  # "案例:…", "另一个案例:…", "再看一个…的例子:…"
    directions: list[Block] = field(default_factory=list)
    tools: Block | None = None

    @property
    def case(self) -> Block | None:
        """The path's first case ("案例:…" before "另一个案例:…")."""
        return self.cases[0] if self.cases else None

    @property
    def label(self) -> str:
        return heading_label(self.section.heading)

    @property
    def own(self) -> bool:
        """Numbered in the article's own words ("出路二：…"), its heading naming no kind of the guide's."""
        return self.name not in self.section.heading

    @property
    def title(self) -> str:
        """What to call the path: the guide's kind, or an own path's heading without its number and
        subtitle ("出路二：把自己做成一个小编辑部——…" → "把自己做成一个小编辑部")."""
        if not self.own:
            return self.name
        spoken = _SPOKEN_OPENER.match(self.label)
        if spoken:  # "第一条路，往收入那边靠，转续约销售或者大客户经理，也就是…。": its first two clauses
            return "，".join(re.split(r"[，,。]", self.label[spoken.end() :])[:2]).strip("，")
        text = re.split(r"[:：]", self.label, maxsplit=1)[-1]
        return re.split(r"——|—|--", text, maxsplit=1)[0].strip() or self.label

    @property
    def targets(self) -> list[str]:
        """The roles the path leads to: "运营→私域增长顾问 / 内容电商操盘手" gives both consultants."""
        after = self.label.split(":", 1)[-1].split("：", 1)[-1]
        if "→" not in after:
            return []
        return [t.strip() for t in after.split("→", 1)[1].split("/") if t.strip()]


class KnowledgeMap:
    """Typed views over the documents' outlines, by the headings and labels of ``knowledge.yaml``."""

    def __init__(self, bodies: dict[str, str], kb: Knowledge) -> None:
        self.bodies = bodies
        self.kb = kb
        self.outlines = {doc_id: outline(doc_id, body) for doc_id, body in bodies.items()}
        self._person_texts: dict[str, str] = {}
        self._role_sections: dict[str, Section | None] = {}

    def topics(self, skip: Collection[str] = (), limit: int = MAX_TOPICS) -> list[str]:
        """What the articles (but those in ``skip``) are about, in their own words: every heading below
        an article's title (its top ones too when it has no deeper ones: "## 02 | 扎心的现实…"), and every
        line set in bold alone that heads what follows it ("**痛点四：证书不再是护城河**"), without its number
        or a "痛点一:" style ordinal, once each."""
        found: dict[str, None] = {}
        for doc_id, sections in self.outlines.items():
            if doc_id in skip:
                continue
            top = 1 if all(s.level <= 1 for s in sections) else 2
            heads = [s.heading for s in sections if s.level >= top]
            heads += [h for s in sections for b in s.blocks if (h := _bold_head(self.text(b.span)))]
            for head in heads:
                head = asked_question(head) or head  # "**问：要不要花钱报班？**": the question asked
                label = _ORDINAL.sub("", _OWN_NUMBER.sub("", _NUMBER.sub("", head))).strip(" *")
                if len(label) >= MIN_TOPIC_CHARS:
                    found.setdefault(label, None)
        return list(found)[:limit]

    @cached_property
    def asked(self) -> list[Asked]:
        """The questions the articles ask and answer themselves (their FAQs), in document order."""
        return [a for doc_id, sections in self.outlines.items() for a in asked(sections, self.bodies[doc_id])]

    @cached_property
    def _question_lines(self) -> dict[str, list[Asked]]:
        """The articles' own questions asked in a line of their own (not a heading), by document."""
        out: dict[str, list[Asked]] = {}
        for a in self.asked:
            if a.place.end > a.place.start:
                out.setdefault(a.place.doc_id, []).append(a)
        return out

    def asked_at(self, span: Span) -> Asked | None:
        """The article's own question whose question line ``span`` lies in (not a question heading): read
        for every sentence a general answer weighs, so only that document's lines are looked at."""
        lines = self._question_lines.get(span.doc_id, ())
        return next((a for a in lines if a.place.start <= span.start < a.place.end), None)

    def role_section_parts(self, key: str) -> list[tuple[Section, Section, str]]:
        """Every role's section for ``key`` (``guide_section``: an added article's own, or the guide's) and
        the sections directly under it, as (part, section, role); a part two roles share, for the first."""
        parts: dict[tuple[str, int], tuple[Section, Section, str]] = {}
        for role in self.kb.role_names:
            section = self.guide_section(key, role)
            for part in [section, *self.children(section)] if section is not None else []:
                parts.setdefault((part.doc_id, part.start), (part, section, role))
        return list(parts.values())

    def section(self, ref: SectionRef) -> Section | None:
        return find_section(self.outlines.get(ref.doc, []), ref.heading)

    def text(self, span: Span) -> str:
        return span.text(self.bodies)

    def section_text(self, section: Section) -> str:
        """A section's heading and its lines, lower-cased: what is said there."""
        return " ".join([section.heading, *(self.text(b.span) for b in section.blocks)]).lower()

    # -- the guide -------------------------------------------------------------------------------
    def guide_section(self, key: str, role: str | None = None) -> Section | None:
        """The guide's section for ``key`` (its pains, risk control…); for a ``role`` an added article
        introduces, that article's own section of the same name ("数据分析中层的转型痛点") if it has one."""
        doc, heading = self.kb.guide.get("doc"), self.kb.guide.get(key)
        if not (doc and heading):
            return None
        own = self.article_section(role, key) if role else None
        return own if own is not None else self.section(SectionRef(doc, heading))

    def article_section(self, role: str, key: str) -> Section | None:
        """The section for ``key`` in the article that introduces ``role``, when that is an added article:
        in its own words ("数据分析中层的转型痛点"; ``section_words.job``: "客户成功这份活儿，每天到底在干什么").
        The guide's roles have none: their pains are the guide's, their jobs explained elsewhere."""
        home = self.role_section(role)
        if home is None or home.doc_id == self.kb.guide.get("doc"):
            return None
        return self.own_section(home.doc_id, key)

    def own_section(self, doc_id: str, key: str) -> Section | None:
        """An added article's section for ``key``: by the guide's heading ("数据分析中层的转型痛点"), else by
        the words ``section_words`` gives ("六、风险控制：…"), in its heading or in most headings directly
        under it ("痛点一：…", "痛点二：…" under "三个最扎心的现实")."""
        words = (self.kb.guide.get(key, ""), *self.kb.section_words.get(key, ()))
        words = tuple(w for w in words if w)
        for s in self.outlines.get(doc_id, []):  # in reading order: a parent before its children
            under = self.children(s)
            said = sum(any(w in c.heading for w in words) for c in under)
            if any(w in s.heading for w in words) or (len(under) >= 2 and 2 * said > len(under)):
                return s
        return None

    def preamble(self, doc_id: str) -> Section | None:
        """What an article says before its first heading: its lead."""
        first = next(iter(self.outlines.get(doc_id, [])), None)
        return first if first is not None and not first.path else None

    def role_section(self, role: str) -> Section | None:
        """The role's section in the guide, else in any article written the guide's way (found once:
        every answer asks for it, per role)."""
        if role not in self._role_sections:
            self._role_sections[role] = self._role_section(role)
        return self._role_sections[role]

    def _role_section(self, role: str) -> Section | None:
        heading = self.kb.guide.get("role_heading", "{role}").format(role=role)
        found = self.section(SectionRef(self.kb.guide.get("doc", ""), heading))
        if found is not None:
            return found
        before, _, after = self.kb.guide.get("role_heading", "{role}").partition("{role}")
        # "(一)商务BD / 大客户销售中层:…": a role under several names is found by its first one
        written = re.compile(re.escape(before + role) + r"(?:\s*[/／、&][^:：]{1,20}?)?" + re.escape(after))
        named = [s for sections in self.outlines.values() for s in sections if written.search(s.heading)]
        with_paths = [s for s in named if self._has_paths(s)]
        home = self.kb.homes.get(role)
        if home and not named:  # an article about the role alone: the section its paths are under
            best = max(self.outlines.get(home, []), key=self._path_children, default=None)
            with_paths = [best] if best is not None and self._path_children(best) else []
        return (with_paths or named or [None])[0]

    def _has_paths(self, section: Section) -> bool:
        return self._path_children(section) > 0

    def _path_children(self, section: Section) -> int:
        """How many sections directly under ``section`` are paths ("(一)纵向深耕:…"): not the root, whose
        one child "二、三条转型路径:纵向深耕、横向跨界、斜向突破" names them all."""
        return len(self.path_sections(section))

    def path_sections(self, section: Section | None) -> list[tuple[str, Section]]:
        """The paths directly under ``section``, each with the guide's kind of path it stands for: the
        kind its heading names ("(一)纵向深耕:…"), or, for paths an article numbers in its own words
        ("出路二：把自己做成一个小编辑部…", two at least), the kind of its number, as "第二条" is the second."""
        under = self.children(section)
        found = [(n[0], c) for c in under if (n := self.kb.paths_named(c.heading))]
        if found:
            return found
        numbered = [(k, c) for c in under if (k := self.kb.own_path_number(c.heading))]
        return (
            [(self.kb.paths[k - 1], c) for k, c in numbered if k <= len(self.kb.paths)]
            if len(numbered) >= 2
            else []
        )

    def role_line(self, role: str) -> tuple[Section, Block] | None:
        """What the articles say of ``role`` as a whole, in the first paragraph of its "…中层" section
        ("…的转型,核心是 “…”"). None for a role whose article heads no such section: its paths section
        opens with the paths ("下面这张表先给个全貌"), not with the role."""
        section = self.role_section(role) if role not in self.kb.homes else None
        first = section.first_text() if section else None
        return (section, first) if section is not None and first is not None else None

    def parent(self, section: Section) -> Section | None:
        """The section ``section`` is directly under (the guide's "按岗位定制" above a role's section)."""
        return next((s for s in self.outlines[section.doc_id] if s.path == section.path[:-1]), None)

    def children(self, section: Section | None) -> list[Section]:
        if section is None:
            return []
        return [
            s for s in self.outlines[section.doc_id] if s.is_under(section) and s.level == section.level + 1
        ]

    @cached_property
    def _paths(self) -> dict[str, list[PathInfo]]:
        out: dict[str, list[PathInfo]] = {}
        for role in self.kb.role_names:
            infos = []
            for name, child in self.path_sections(self.role_section(role)):
                infos.append(self._path(role, name, self.kb.paths.index(name) + 1, child))
            out[role] = infos
        return out

    def paths(self, role: str) -> list[PathInfo]:
        return self._paths.get(role, [])

    def path(self, role: str, name: str) -> PathInfo | None:
        return next((p for p in self.paths(role) if p.name == name), None)

    def _path(self, role: str, name: str, index: int, section: Section) -> PathInfo:
        info = PathInfo(role, name, index, section)
        words = {kind: self.kb.label_words(kind) for kind in ("advantage", "case", "directions", "tools")}
        key_word = (self.kb.label_words("key") or ("关键是",))[0]
        fit_labels, key_labels = self.kb.label_words("fit"), self.kb.label_words("key_label")
        in_directions = False
        asked, questions = self._asked_labels(section.blocks)
        steps_asked, step_replies = self.kb.label_words("steps"), []
        for block in section.blocks:
            if id(block) in questions:  # "问：适合谁？": what the reply below it is, not a line of the path
                continue
            text = self.text(block.span)
            replied = id(block) in asked
            label = asked[id(block)] if replied else (block.label or "").strip("* ")
            if replied and block.content:
                block = replace(block, span=block.content, label=label)  # the reply without its "答："
            # "适合…,关键是 “…”": a paragraph, or the first item of a list whose steps follow it directly
            if info.fit is None and block.kind in ("text", "item") and key_word in text:
                info.fit = block.span
                at = block.span.start + text.index(key_word)
                info.key = Span(block.span.doc_id, at, block.span.end)
            # or, in an article's own words, two labelled lines: "适合谁：…" and "关键一招：…"
            elif info.fit is None and block.content and any(_labelled(label, w, replied) for w in fit_labels):
                info.fit = block.span
            elif info.key is None and block.content and any(label.startswith(w) for w in key_labels):
                info.key = block.span
            elif block.kind == "step":
                info.steps.append(block)
            elif (replied or block.content) and any(w in label for w in steps_asked):
                # "问：具体怎么做？" "答：第一步，…", "- 怎么走：先列出…；约他们…": the steps, unless a list
                # follows; a labelled line's parts are its clauses
                step_replies += [block] if replied else self._clauses(block)
            elif any(w in label for w in words["advantage"]):
                info.advantage = block
            elif any(w in label for w in words["case"]):
                info.cases.append(block)
            elif any(w in label for w in words["tools"]):
                info.tools = block
            elif block.kind == "intro":
                in_directions = any(w in label for w in words["directions"])
            elif in_directions and block.kind == "item":
                info.directions.append(block)
        info.steps = info.steps or step_replies
        if not info.steps and info.advantage is None and not info.cases:
            self._told_in_prose(info)
        return self._by_position(info, questions)

    def _clauses(self, block: Block) -> list[Block]:
        """A labelled line's content cut at its semicolons and full stops ("先列出…；约他们…；面试时讲…"),
        each a step."""
        content = block.content or block.span
        parts = sentences(content, self.bodies[content.doc_id])
        return [Block(p, "step", number=k + 1) for k, p in enumerate(parts)]

    def _told_in_prose(self, info: PathInfo) -> None:
        """A path a talk or a 知乎 answer tells in plain paragraphs, with no label and no list ("这条路适合
        什么人呢？…关键就一点：…具体怎么弄？第一，…这条路的好处是…我有个朋友老K，38岁…"): its parts
        are the sentences that say them — whom it suits, what is key, what it pays — its steps the
        sentences after the one that asks how (or those opening with 第一, 先, 然后…), and its case the
        paragraph, or the rest of one, from where someone is introduced with figures."""
        body = self.bodies[info.section.doc_id]
        words = {kind: self.kb.label_words(kind) for kind in ("fit", "key_label", "advantage", "steps")}
        texts = [b for b in info.section.blocks if b.kind == "text" and self.text(b.span).strip()]
        found: dict[str, Span] = {}
        steps: list[Span] = []
        for block in texts:
            told = sentences(block.span, body)
            asked_how = False
            for n, sentence in enumerate(told):
                text = self.text(sentence)
                if _introduces_someone(text):  # the case: from here to the paragraph's end
                    end = next(
                        (
                            t.start
                            for t in told[n + 1 :]
                            if any(w in self.text(t) for w in words["advantage"])
                        ),
                        block.span.end,
                    )
                    info.cases.append(Block(Span(sentence.doc_id, sentence.start, end), "text"))
                    break
                kind = next(
                    (k for k in ("fit", "key_label", "advantage") if any(w in text for w in words[k])), None
                )
                if kind and kind not in found and not asked_how:
                    # "这条路适合什么人呢？手上有一批…的人。": a part asked, then told
                    told_after = (
                        told[n + 1] if text.rstrip().endswith(("？", "?")) and n + 1 < len(told) else None
                    )
                    found[kind] = Span(sentence.doc_id, sentence.start, (told_after or sentence).end)
                    continue
                elif asked_how or _OPENS_STEP.match(text):
                    if kind == "advantage":
                        found.setdefault(kind, sentence)
                        asked_how = False
                    else:
                        steps.append(sentence)
                if any(w in text for w in words["steps"]) and _ASKS_HOW.search(text):
                    asked_how = True
        if "fit" in found:
            info.fit = found["fit"]
        if "key_label" in found:
            info.key = found["key_label"]
        if "advantage" in found:
            info.advantage = Block(found["advantage"], "text")
        info.steps = [Block(s, "step", number=k + 1) for k, s in enumerate(steps[:MAX_PROSE_STEPS])]

    def _asked_labels(self, blocks: list[Block]) -> tuple[dict[int, str], set[int]]:
        """An interview's lines ("问：适合谁？" / "答：适合有一定人脉…"): each reply labelled by the question
        before it, and the questions, which are no line of their own (by ``id``)."""
        asked: dict[int, str] = {}
        questions: set[int] = set()
        for prev, block in itertools.pairwise(blocks):
            question = asked_question(self.text(prev.span))
            if question and (block.label or "").strip("* ") in REPLY_LABELS:
                asked[id(block)] = question
                questions.add(id(prev))
        return asked, questions

    def _by_position(self, info: PathInfo, questions: Collection[int]) -> PathInfo:
        """What an article in its own words does not label, read from where it stands: the paragraph
        before the steps says whom the path suits ("如果你…，这条路值得先看。要害只有一个：…"); after
        them, the paragraph that introduces someone with figures is the case ("身边的例子：林姐 37 岁…",
        "我的前同事老葛，37 岁…"), and the first other one what the path pays ("这条路的甜头：…").
        ``questions``: an interview's question lines (by ``id``), which are none of these."""
        texts = [
            b
            for b in info.section.blocks
            if b.kind == "text" and self.text(b.span).strip() and id(b) not in questions
        ]
        steps = info.steps
        before = [b for b in texts if not steps or b.span.end <= steps[0].span.start]
        after = [b for b in texts if steps and b.span.start >= steps[-1].span.end]
        if info.fit is None and steps and before:
            info.fit = before[0].span
        if not info.cases:
            found = next((b for b in after or texts[1:] if _introduces_someone(self.text(b.span))), None)
            info.cases = [found] if found else []
        if info.advantage is None:
            info.advantage = next(
                (b for b in after if b is not info.case and not self.text(b.span).rstrip().endswith(_OPENS)),
                None,
            )
        return info

    def all_paths(self) -> list[PathInfo]:
        return [p for role in self.kb.role_names for p in self.paths(role)]

    def risk_strategies(self) -> list[Section]:
        return self.children(self.guide_section("risk"))

    def toolkit_rows(self) -> list[Block]:
        """The template table's rows, without its header row."""
        section = self.guide_section("toolkit")
        rows = [b for b in section.blocks if b.kind == "row"] if section else []
        return rows[1:]

    @cached_property
    def job_rows(self) -> list[JobRow]:
        """Every row of a table that lists an article's jobs, its header opening with one of
        ``section_words['jobs']`` ("| 岗位 | …"), and every list line that opens with a job's name under a
        heading naming jobs: what a question naming one of the jobs asks about."""
        heads = self.kb.section_words.get("jobs", ())
        return [
            job
            for doc_id, sections in self.outlines.items()
            for rows in (job_table_rows, job_item_rows)
            for job in rows(sections, self.bodies[doc_id], heads)
        ]

    def table_row(self, place: Span) -> tuple[Block, Block] | None:
        """The table row ``place`` starts in and its table's header row (the first row of the run of rows
        it belongs to); ``None`` when it is not in a table's body."""
        body = self.bodies[place.doc_id]
        for section in self.outlines.get(place.doc_id, []):
            for header, *rows in tables(section, body) if section.holds(place) else []:
                row = next((r for r in rows if r.span.start <= place.start < r.span.end), None)
                if row is not None:
                    return row, header
        return None

    def cells(self, row: Block) -> list[Span]:
        """The cells of a table row, trimmed, as spans."""
        text, base, out = self.text(row.span), row.span.start, []
        pos = 0
        for part in text.split("|"):
            stripped = part.strip()
            if stripped:
                at = text.index(stripped, pos)
                out.append(Span(row.span.doc_id, base + at, base + at + len(stripped)))
            pos += len(part) + 1
        return out

    # -- stories and explained roles -------------------------------------------------------------
    def person_section(self, name: str) -> Section | None:
        person = self.kb.person(name)
        if person is None or not person.heading:
            return None
        return self.section(SectionRef(person.doc, person.heading))

    def person_text(self, name: str) -> str:
        """Where the articles tell about a person: their story's section, or their case line."""
        if name not in self._person_texts:
            self._person_texts[name] = self._person_text(name)
        return self._person_texts[name]

    @cached_property
    def corpus_lower(self) -> Occurrences:
        """Look-ups over the lower-cased bodies (counting a word must not scan them all)."""
        return Occurrences([b.lower() for b in self.bodies.values()])

    def only_about(self, word: str, name: str) -> bool:
        """``word`` occurs in the articles only where they tell about ``name``: a word that describes
        that person ("收银系统", "团购") and nobody or nothing else — and is no everyday word ("东西") nor one
        that names nothing ("天天")."""
        text = self.person_text(name).lower()
        if is_everyday(word) or word not in text or names_nothing(word):
            return False
        return self.corpus_lower.count(word) == text.count(word)

    def story_blocks(self, section: Section) -> list[Block]:
        """A story's lines, its sub-sections' included ("1. 第一次尝试…", "2. 挫折…"), in reading order."""
        return [b for s in self.tree(section) for b in s.blocks]

    def story_sentences(self, section: Section) -> list[tuple[int, Span]]:
        """A story's sentences in reading order, each with the number of its line in ``story_blocks``."""
        body = self.bodies[section.doc_id]
        return [
            (b, s) for b, block in enumerate(self.story_blocks(section)) for s in sentences(block.span, body)
        ]

    def _person_text(self, name: str) -> str:
        section = self.person_section(name)
        if section is not None:
            told = [self.text(b.span) for b in self.story_blocks(section)]
            return " ".join([*told, *self._introduced_elsewhere(name, section)])
        person = self.kb.person(name)
        info = self.path(person.role, person.path) if person and person.role and person.path else None
        case = self.case_of(info, name) if info else None
        return self.text(case.span) if case else ""

    def _introduced_elsewhere(self, name: str, section: Section) -> list[str]:
        """The sentences of the person's article before their story that name them and nobody else: a
        blog introduces its cast before their stories ("老孟42岁，做了12年金融行业售前"). Not what comes after
        (a closing word on each of them reads as their description too, and misplaces questions)."""
        body = self.bodies[section.doc_id]
        others = [p.name for p in self.kb.persons if p.name != name and p.name not in name]
        out = []
        for s in self.outlines[section.doc_id]:
            if s.start >= section.start:  # the story and what follows it
                break
            for b in s.blocks:
                for sentence in sentences(b.span, body):
                    text = self.text(sentence)
                    if name in text and not any(o in text for o in others):
                        out.append(text)
        return out

    def case_of(self, info: PathInfo, name: str) -> Block | None:
        """The case of the path that tells about ``name`` ("另一个案例:…阿琳…"), else the path's first."""
        return next((c for c in info.cases if name in self.text(c.span)), info.case)

    def explainer_sections(self, name: str) -> list[Section]:
        exp = self.kb.explainer(name)
        found = [self.section(ref) for ref in exp.sections] if exp else []
        return [s for s in found if s is not None]

    def tree(self, section: Section) -> list[Section]:
        return subtree(self.outlines[section.doc_id], section)
