"""The kind of a question by meaning: the nearest labelled example questions (``kinds:`` in
``corpus/scope.yaml``, many per kind) say whether a question voices a pain, asks how to contain the
risk, wants a template, asks about people's stories, a role's paths or what a role does.

Cue words read "我就只精通一块，是不是没戏了" as nothing in particular; its meaning sits by the
labelled pains. The reading only counts when one kind leads the runner-up by ``KIND_LEAD``: e5's
similarities are compressed, so a narrow lead is noise."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
from langchain_core.embeddings import Embeddings

from advisor.answering.scope import embed_all, top_mean
from advisor.answering.state import Intent
from advisor.answering.units import CLEAR_LEAD, Unit, Units
from advisor.index.search import Passage

KIND_LEAD = 0.006  # the mean similarity of the nearest examples must lead the next kind's by this


@dataclass(frozen=True)
class KindReading:
    kind: str | None  # None: no labelled examples, or no kind leads clearly
    lead: float = 0.0


class KindReader:
    """Labelled example questions per kind, embedded once per index generation; the embedder is handed in."""

    def __init__(self, embedder: Embeddings, examples: dict[str, list[str]], lead: float = KIND_LEAD) -> None:
        self.embedder = embedder
        self.lead = lead
        self.examples = {k: embed_all(embedder, list(v)) for k, v in (examples or {}).items() if v}

    def read(self, question: str) -> KindReading:
        if len(self.examples) < 2 or not question.strip():
            return KindReading(None)
        vec = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        ranked = sorted(((top_mean(m, vec), k) for k, m in self.examples.items()), reverse=True)
        (best, kind), (second, _) = ranked[0], ranked[1]
        lead = best - second
        return KindReading(kind if lead >= self.lead else None, lead)


# A question that asks how or where to go is not voicing a pain, whatever its words of worry.
_ASKS_WAY = re.compile(
    r"怎么|如何|咋(?!回事|办)|方向|路子|出路|从哪|哪些|步骤|办法|学(?:点|些)?(?:啥|什么)|换(?:个)?(?:啥|什么)"
)


SECTION_LEAD = 0.15  # how far a section of its own must lead when no pain is among the best
PAIN_TOP = 5  # the best passages that may show a risk-worded question is not about a pain
# an added article's own risk control ("风险防控:3 条 “硬规则”")
_RISK_HEADING = re.compile(r"风险|止损|规则")


def _risk_control(unit: Unit) -> bool:
    return unit.kind == "risk" or (unit.kind == "section" and bool(_RISK_HEADING.search(unit.topic or "")))


def by_meaning(
    intent: Intent,
    reader: KindReader,
    question: str,
    passages: list[Passage],
    units: Units,
    lead: float,
) -> Intent:
    """A question the cue words read as nothing in particular, given the kind its meaning leads to
    where the kind's plan can answer it: a pain unless the question asks which way to go or retrieval
    clearly leads (``lead``, from ``Units.leader``) with a section of its own (another article's pains);
    a template only when retrieval found the toolkit; an explained role only when retrieval leads with
    one (it names the role) and the question compares none. Stories and paths need no reading here: a
    clear retrieval lead settles them (``settle.py``), and a risk question read by meaning alone
    measured no better (README). The question is read only when it can matter."""
    if intent.kind != "general" or intent.follow_up:
        return intent
    kind = reader.read(question).kind
    if kind is None:
        return intent
    found = [units.of(p) for p in passages]
    # A section outside the guide's units that retrieval clearly leads with (a new article's own 痛点)
    # answers; the stories' epilogue leading narrowly does not.
    best = found[:PAIN_TOP]
    pained = any(u.kind == "pains" for u in best)
    # ...and so does one it leads less clearly with no pain among its best: "我做了十年编辑，感觉自己除了写稿
    # 啥也不会" sits by the labelled pains, yet a new article's "藏在日常里的四门手艺" answers it
    section_lead = CLEAR_LEAD if pained else SECTION_LEAD
    other_section = bool(found) and found[0].kind == "section" and lead >= section_lead
    # A situation a risk rule speaks to ("什么时候辞才算稳"), with retrieval finding that risk control and
    # no pain among its best, is not read as a pain
    ruled = bool(intent.risk) and any(map(_risk_control, best)) and not pained
    if kind == "pains" and not _ASKS_WAY.search(question) and not other_section and not ruled:
        return replace(intent, kind="pains")
    if kind == "toolkit" and any(u.kind == "toolkit" for u in found):
        return replace(intent, kind="toolkit")
    compares = any(c in question.lower() for c in units.kmap.kb.cues("compare"))  # 分工, 区别: two roles
    if kind == "explain" and found and found[0].kind == "explain" and not compares:
        top = found[0]
        return replace(
            intent, kind="explain", subjects=(top.subject,) if top.subject else (), topic=top.topic
        )
    return intent
