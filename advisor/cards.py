"""岗位速览: one card per explained role (产品经理, 运营 and the six operations roles) and per mid-level
role of the guide (技术中层…): what the role does, typical work and examples, career stages where the
articles have them, and how it differs from its neighbour roles — every line quoted and cited.

The parts are found by the articles' own labels (目标, 工作, 关键指标…, mapped in ``knowledge.yaml``
``rolecards``), the explainers' sections, the families of roles and the "vs" sections; a part the
articles do not cover says so ("文章没有讲到…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.errors import CorpusError, InputError
from advisor.grounding.citations import Citation, cited_dict
from advisor.grounding.format import NOT_COVERED, NOT_COVERED_LINE
from advisor.grounding.quotes import Line, Quote, finish
from advisor.index.search import Passage
from advisor.kb.facts import SectionRef
from advisor.kb.knowledge_map import KnowledgeMap, heading_label
from advisor.planning.model import PlanData, spaced
from advisor.planning.sections import role_pains
from advisor.text.structure import Block, Section, sentences

if TYPE_CHECKING:
    from advisor.answering.answer import Answer
    from advisor.answering.derived import Derived

LIMIT = 120
CELL = 60
_NUMBER = re.compile(r"^[(（]?[0-9一二三四五六七八九十]+[)）.、]\s*")


def _config(kmap: KnowledgeMap) -> dict:
    raw = kmap.kb.raw.get("rolecards")
    if not isinstance(raw, dict) or not isinstance(raw.get("parts"), dict):
        msg = "knowledge.yaml 缺少 rolecards 部分：岗位速览需要它"
        raise CorpusError(msg)
    return raw


def _is_vs(section: Section) -> bool:
    return section.heading.lower().startswith("vs")


def _role_card(kmap: KnowledgeMap, role: str) -> str:
    return str(_config(kmap).get("role_card", "{role}")).format(role=role)


def card_names(kmap: KnowledgeMap) -> list[str]:
    """Explained roles with a section of their own (not only a "vs" comparison), then the mid-level roles."""
    named = [
        e.name for e in kmap.kb.explainers if any(not _is_vs(s) for s in kmap.explainer_sections(e.name))
    ]
    return named + [_role_card(kmap, r) for r in kmap.kb.role_names]


def card_for(kmap: KnowledgeMap, subject: str | None) -> str | None:
    """The card a chat topic has: an explained role, or a mid-level role ("运营" -> "运营中层")."""
    if not subject:
        return None
    if subject in card_names(kmap):
        return subject
    return _role_card(kmap, subject) if subject in kmap.kb.roles else None


@dataclass
class RoleCard:
    name: str
    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            **cited_dict(self.text, self.citations, self.passages),
        }

    def as_answer(self) -> Answer:
        from advisor.answering.answer import Answer

        state = {"subjects": [self.name]}
        return Answer(self.text, self.citations, self.passages, intent="card", state=state)


class CardBuilder:
    """The parts of a card, each a list of lines, over one knowledge map."""

    def __init__(self, kmap: KnowledgeMap) -> None:
        self.kmap, self.kb, self.config = kmap, kmap.kb, _config(kmap)
        self.parts: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in self.config["parts"].items()}
        self.what, self.work = list(self.parts)[:2]

    def first_sentence(self, block: Block) -> Quote:
        found = sentences(block.span, self.kmap.bodies[block.span.doc_id])
        return Quote(found[0] if found else block.span, LIMIT)

    def _part_of(self, label: str | None) -> str | None:
        return next((p for p, labels in self.parts.items() if label and label in labels), None)

    def explained(self, name: str) -> dict[str, list[Line]]:
        """An explained role's own sections by parts: labelled lines by their label (a label that opens
        a list takes the labelled lines under it); an unlabelled paragraph says what the role does; a
        numbered subsection ("1. 需求洞察与分析") is typical work."""
        out: dict[str, list[Line]] = {p: [] for p in self.parts}
        for section in self.kmap.explainer_sections(name):
            if _is_vs(section) or section is self.any_topic("neighbours"):
                continue
            current = None
            for block in section.blocks:
                part = self._part_of(block.label)
                if block.kind == "intro":
                    current = part
                elif part is not None or (block.label and current is not None):
                    out[part or current].append(["- ", Quote(block.span, LIMIT)])
                elif not block.label and block.kind == "text" and len(out[self.what]) < 2:
                    out[self.what].append(["- ", self.first_sentence(block)])
            if section.path:
                out[self.work] += self.children_lines(section)
        return out

    def children_lines(self, section: Section) -> list[Line]:
        lines: list[Line] = []
        for child in self.kmap.children(section):
            first = next((b for b in child.blocks if b.kind not in ("intro", "row")), None)
            if first is not None:
                lines.append([f"- {_NUMBER.sub('', child.heading).strip()}：", self.first_sentence(first)])
        return lines

    def topic(self, key: str, subject: str | None) -> Section | None:
        topic = (self.config.get(key) or {}).get("topic")
        ref = self.kb.explainer_topics.get(topic or "")
        return self.kmap.section(ref) if ref and subject and ref.subject == subject else None

    def stages(self, subject: str | None, name: str) -> list[Line]:
        section = self.topic("stages", subject)
        lines = self.children_lines(section) if section is not None else []
        return lines or [[NOT_COVERED_LINE.format(focus=f"{name}的职业阶段")]]

    def neighbours(self, name: str | None) -> list[Line]:
        """Side by side with the roles of its family, the "vs" comparisons, the sections that set roles
        side by side, and the lines where the roles work together that name it."""
        if name is None:
            return []
        lines = self.family_table(name) + self.versus(name)
        for ref in self.config.get("compare") or ():
            section = self.kmap.section(SectionRef(ref["doc"], ref.get("heading", "")))
            if section is not None and name in ref.get("subjects", ()):
                lines.append([f"**{heading_label(section.heading)}**"])
                first = section.first_text()
                lines += [["- ", self.first_sentence(first)]] if first is not None else []
        return lines + self.cooperation(name)

    def family_table(self, name: str) -> list[Line]:
        family = next((f for f in self.kb.families.values() if name in f["members"]), None)
        if family is None:
            return []
        labelled = {m: self._labelled(m) for m in family["members"]}
        wanted = [*self.parts[self.what], *self.parts[list(self.parts)[-1]]]
        columns = [c for c in wanted if all(c in found for found in labelled.values())]
        if not columns:
            return []
        lines: list[Line] = [["| 岗位 | " + " | ".join(columns) + " |"], ["|" + "---|" * (len(columns) + 1)]]
        for member, found in labelled.items():
            row: Line = [f"| **{member}** | " if member == name else f"| {member} | "]
            for k, c in enumerate(columns):
                row += [Quote(found[c], CELL), " |" if k == len(columns) - 1 else " | "]
            lines.append(row)
        return lines

    def _labelled(self, name: str) -> dict:
        return {
            b.label: b.content
            for s in self.kmap.explainer_sections(name)
            for b in s.blocks
            if b.label and b.content is not None and b.kind != "intro"
        }

    def versus(self, name: str) -> list[Line]:
        """ "vs" sections in the articles that explain this role, and those of its mid-level role's
        relatives when it stands for that role (运营 gets "vs 运营经理")."""
        explainer = self.kb.explainer(name)
        docs = {s.doc_id for s in self.kmap.explainer_sections(name) if not _is_vs(s)}
        stands_for = explainer and explainer.parent and self.kmap.kb.explained_role(explainer.parent) == name
        found: list[Section] = []
        for e in self.kb.explainers:
            for s in self.kmap.explainer_sections(e.name):
                if _is_vs(s) and (s.doc_id in docs or (stands_for and e.parent == explainer.parent)):
                    found.append(s)
        if not found:
            return []
        parent = self.kmap.outlines[found[0].doc_id]
        head = next((p for p in parent if found[0].is_under(p) and p.level == found[0].level - 1), None)
        lines: list[Line] = [[f"**{heading_label(head.heading)}**"]] if head else []
        for s in found:
            first = s.first_text()
            if first is not None:
                lines.append([f"- {s.heading}：", Quote(first.span, LIMIT + 40)])
        return lines

    def cooperation(self, name: str) -> list[Line]:
        section = self.any_topic("neighbours")
        if section is None:
            return []
        body = self.kmap.bodies[section.doc_id]
        spans = [s for b in section.blocks for s in sentences(b.span, body) if name in self.kmap.text(s)]
        if not spans:
            return []
        return [[f"**{heading_label(section.heading)}**"], *(["- ", Quote(s, LIMIT)] for s in spans[:2])]

    def any_topic(self, key: str) -> Section | None:
        topic = (self.config.get(key) or {}).get("topic")
        ref = self.kb.explainer_topics.get(topic or "")
        return self.kmap.section(ref) if ref else None

    def role_parts(self, role: str) -> dict[str, list[Line]]:
        """A mid-level role's card: what the guide says of the role, its pains' examples as typical
        work, and what its explained relative (产品经理 for 产品) says."""
        subject = self.kmap.kb.explained_role(role)
        out = self.explained(subject) if subject else {p: [] for p in self.parts}
        intro = self.kmap.role_section(role)
        first = intro.first_text() if intro else None
        if first is not None:
            out[self.what].append(["- ", Quote(first.span, LIMIT)])
        pains = [["- ", Quote(b.span, LIMIT)] for b in role_pains(self.kmap, role)]
        out[self.work] = [*pains, *out[self.work]]
        return out

    def ladder(self, role: str) -> list[Line]:
        """The guide's path that climbs from one level to the next ("运营经理→运营总监 / 增长负责人")."""
        levels = PlanData.from_kb(self.kb).levels
        for info in self.kmap.paths(role):
            source = info.label.split("→")[0]
            if "→" in info.label and any(level in source for level in levels) and info.fit is not None:
                return [[f"- {info.label}：", Quote(info.fit, LIMIT)]]
        return []


def build_card(derived: Derived, name: str) -> RoleCard:
    """The card named ``name`` (see ``card_names``), every line quoted and verified."""
    kmap = derived.kmap
    names = card_names(kmap)
    name = (name or "").strip()
    if name not in names:
        msg = f"没有「{name}」的岗位速览。可以选：{'、'.join(names)}"
        raise InputError(msg)
    b = CardBuilder(kmap)
    role = next((r for r in kmap.kb.role_names if _role_card(kmap, r) == name), None)
    subject = kmap.kb.explained_role(role) if role else name
    parts = b.role_parts(role) if role else b.explained(name)
    lines: list[Line] = [[f"# 岗位速览：{name}"]]
    for part, part_lines in parts.items():
        lines += [[f"**{part}**"], *(part_lines or [[NOT_COVERED_LINE.format(focus=f"{name}{part}")]])]
    stages = (b.ladder(role) if role else []) + b.stages(subject, name)
    if len(stages) > 1:  # a path that climbs levels stands on its own
        stages = [s for s in stages if not str(s[0]).startswith(NOT_COVERED)]
    titles = {k: (b.config.get(k) or {}).get("title", k) for k in ("stages", "neighbours")}
    lines += [[f"**{titles['stages']}**"], *stages]
    near = b.neighbours(subject)
    lines += [
        [f"**{titles['neighbours']}**"],
        *(near or [[NOT_COVERED_LINE.format(focus=f"{name}和相邻岗位的区别")]]),
    ]
    card = RoleCard(name)
    card.text, card.citations, card.passages, card.unsupported = finish(
        spaced(lines), derived.bodies, derived.chunks
    )
    return card
