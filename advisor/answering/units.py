"""What a passage is part of, in the articles' own structure: one path of a role, a role's paths, a
person's story, an explained role (or one of its topics), a risk-control strategy, the toolkit, the
pains. Retrieval ranks passages; their units say what a question is about when its words alone do not
("阿里出来的运营总监后来做了什么" ranks 王姐's story first, far ahead of anything else).

The units come from the knowledge map, which finds them by the articles' headings, so a new article
written in the same shape brings its own units with no data entry."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

from advisor.index.chunking import SECTION_SEP
from advisor.index.search import Passage
from advisor.kb.knowledge_map import KnowledgeMap, squash
from advisor.text.structure import Section

# How far the best passage must lead the best passage of any other unit (fused scores are min-max
# normalised, the best is 1.0) before its unit decides what the question is about.
CLEAR_LEAD = 0.3
_QUOTED = re.compile(r"[“\"]([^”\"]+)[”\"]")
QUOTED_CHARS = 4  # a heading's quoted term this long, said in a question, names its section
ROLE_TOP = 5  # the best passages whose roles may name the role a question leaves unsaid
SECTION_KEY = "\x1f"  # between a section unit's document and heading path in ``Intent.topic``


def section_topic(section: Section) -> str:
    """A section unit's ``Intent.topic``: its document, ``SECTION_KEY``, its heading path (``section_at``)."""
    return f"{section.doc_id}{SECTION_KEY}{SECTION_SEP.join(section.path)}"


def section_at(kmap: KnowledgeMap, topic: str | None) -> Section | None:
    """The section a section unit's ``Intent.topic`` names (document, ``SECTION_KEY``, heading path)."""
    doc_id, _, path = (topic or "").partition(SECTION_KEY)
    heading = tuple(path.split(SECTION_SEP))
    return next((s for s in kmap.outlines.get(doc_id, []) if s.path == heading), None)


@dataclass(frozen=True)
class Unit:
    kind: str  # path | paths | story | explain | risk | toolkit | pains | section (any other) | general
    role: str | None = None
    path: str | None = None
    person: str | None = None
    subject: str | None = None
    topic: str | None = None

    @property
    def coarse(self) -> Unit:
        return self if self.kind == "section" else replace(self, topic=None)


GENERAL = Unit("general")


class Units:
    """Every section's unit, by document and heading path; a passage takes its section's unit, or the
    nearest enclosing section's."""

    def __init__(self, kmap: KnowledgeMap) -> None:
        self.kmap = kmap
        self.by_path: dict[tuple[str, tuple[str, ...]], Unit] = {}
        kb = kmap.kb
        for role in kb.role_names:
            self._put(kmap.role_section(role), Unit("paths", role=role))
            for info in kmap.paths(role):
                self._put(info.section, Unit("path", role=role, path=info.name))
        for key, kind in (("pains", "pains"), ("toolkit", "toolkit")):
            self._put(kmap.guide_section(key), Unit(kind))
        for role in kb.role_names:  # an added article's own pains ("数据分析中层的转型痛点")
            own = kmap.guide_section("pains", role)
            if own is not None and own.doc_id != kb.guide.get("doc"):
                self._put(own, Unit("pains", role=role))
        for strategy in kmap.risk_strategies():
            self._put(strategy, Unit("risk", topic=strategy.heading))
        for person in kb.persons:
            self._put(kmap.person_section(person.name), Unit("story", person=person.name))
        for e in kb.explainers:
            for section in kmap.explainer_sections(e.name):
                self._put(section, Unit("explain", subject=e.name), replace=False)
        for topic, ref in kb.explainer_topics.items():
            self._put(kmap.section(ref), Unit("explain", subject=ref.subject, topic=topic))

    def _put(self, section: Section | None, unit: Unit, replace: bool = True) -> None:
        if section is None or not section.path:
            return
        key = (section.doc_id, section.path)
        if replace or key not in self.by_path:
            self.by_path[key] = unit

    def of(self, passage: Passage) -> Unit:
        path = tuple(passage.section.split(SECTION_SEP)) if passage.section else ()
        unit = self._unit_at(passage.doc_id, path)
        if unit.kind != "paths":
            return unit
        first = passage.text.lstrip().split("\n", 1)[0]  # "| 斜向突破 | 客服体系搭建顾问… |": one path's
        named = self.kmap.kb.paths_named(first) if first.startswith("|") else []  # row of the overview
        return Unit("path", role=unit.role, path=named[0]) if len(named) == 1 else unit

    def _unit_at(self, doc_id: str, path: tuple[str, ...]) -> Unit:
        for n in range(len(path), 0, -1):
            unit = self.by_path.get((doc_id, path[:n]))
            if unit is not None:
                return unit
        # Any other section (an epilogue, an FAQ answer, a new article's 风险提示) is a unit of its own.
        return Unit("section", subject=doc_id, topic=SECTION_SEP.join(path)) if path else GENERAL

    def quoted(self, question: str) -> Unit | None:
        """The one unit whose heading's quoted term the question says ("试错成本高" of "业务 “试错成本高”,
        转型失败代价大"): a heading's own term is as good as a name."""
        q = squash(question)
        found = {unit for term, unit in self._quoted_terms if term in q}
        return found.pop() if len(found) == 1 else None

    @cached_property
    def _quoted_terms(self) -> list[tuple[str, Unit]]:
        """Every heading's quoted terms with their section's unit, found once per index generation."""
        return [
            (squash(term), self._unit_at(doc_id, section.path).coarse)
            for doc_id, sections in self.kmap.outlines.items()
            for section in sections
            if section.path
            for term in _QUOTED.findall(section.heading)
            if len(term) >= QUOTED_CHARS
        ]

    def role(self, passages: list[Passage], top: int = ROLE_TOP) -> str | None:
        """The role the ``top`` best passages are about (its paths, its pains, the story of someone from
        it), when at least two are and no other role comes close: "带个五六人的分析小组，想往上走当总监"
        names no role, yet its passages are 数据分析's."""
        roles = [r for r in map(self._role_of, passages[:top]) if r]
        ranked = sorted(set(roles), key=roles.count, reverse=True)
        if not ranked or roles.count(ranked[0]) < 2:
            return None
        second = roles.count(ranked[1]) if len(ranked) > 1 else 0
        return ranked[0] if roles.count(ranked[0]) >= 2 * second else None

    def _role_of(self, passage: Passage) -> str | None:
        unit = self.of(passage)
        if unit.kind == "story":
            person = self.kmap.kb.person(unit.person)
            return person.role if person else None
        return unit.role if unit.kind in ("path", "paths", "pains") else None

    def leader(self, passages: list[Passage]) -> tuple[Unit, float]:
        """The unit of the best passage and by how much it leads the best passage of another unit."""
        if not passages:
            return GENERAL, 0.0
        top = self.of(passages[0])
        # Two topics of one explained role are one unit here: the lead is over something else.
        rival = next((p.score for p in passages[1:] if self.of(p).coarse != top.coarse), 0.0)
        return top, passages[0].score - rival
