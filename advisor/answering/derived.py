"""What answering derives from one index generation: the knowledge map, the scope gate, the
answerability check and word look-ups over every chunk. Built once per generation (they embed
examples, parse every article, index every chunk's characters), and rebuilt when a new generation is
switched in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from langchain_core.embeddings import Embeddings

from advisor.answering.asked import AskedReader
from advisor.answering.coverage import Answerability
from advisor.answering.kinds import KindReader
from advisor.answering.plans.shared import ChunkTexts
from advisor.answering.scope import ScopeGate
from advisor.answering.sentence_meaning import SentenceMeaning
from advisor.answering.units import Units
from advisor.index.chunking import Chunk
from advisor.index.snapshot import IndexSnapshot
from advisor.kb.discover import discover
from advisor.kb.facts import Knowledge
from advisor.kb.knowledge_map import KnowledgeMap


@dataclass
class Derived:
    snapshot: IndexSnapshot
    embedder: Embeddings
    refusal_threshold: float

    @cached_property
    def knowledge(self) -> Knowledge:
        """The knowledge data, with what the articles' own structure says besides (``kb/discover.py``)."""
        snap = self.snapshot
        return discover(snap.knowledge, snap.bodies, snap.declared_roles, snap.titles)

    @property
    def bodies(self) -> dict[str, str]:
        return self.snapshot.bodies

    @property
    def chunks(self) -> list[Chunk]:
        return self.snapshot.chunks

    def idf(self, token: str) -> float:
        return self.snapshot.idf(token)

    @cached_property
    def chunk_texts(self) -> ChunkTexts:
        return ChunkTexts(self.chunks)

    @cached_property
    def kmap(self) -> KnowledgeMap:
        return KnowledgeMap(self.bodies, self.knowledge)

    @cached_property
    def scope(self) -> ScopeGate:
        # The scope examples were written for the articles the knowledge data describes; an article
        # added since is in scope by its own headings ("作品集每半年更新一次"), with nobody writing any.
        # (All headings as examples let near-domain chatter in: heading similarities are compressed.)
        added = self.kmap.topics(skip=self.snapshot.knowledge.documents())
        return ScopeGate(self.embedder, self.snapshot.scope, self.idf, self.refusal_threshold, added)

    @cached_property
    def kinds(self) -> KindReader:
        return KindReader(self.embedder, self.snapshot.scope.get("kinds") or {})

    @cached_property
    def asked(self) -> AskedReader:
        """The articles' own questions (FAQs), embedded: what a question may be asking."""
        return AskedReader(self.embedder, self.kmap.asked)

    @cached_property
    def sentence_meaning(self) -> SentenceMeaning:
        """How close in meaning single sentences are to a question (a story's detail)."""
        return SentenceMeaning(self.embedder)

    @cached_property
    def answerability(self) -> Answerability:
        return Answerability(self.kmap, self.snapshot.scope.get("focus") or {})

    @cached_property
    def units(self) -> Units:
        return Units(self.kmap)

    def warm(self) -> None:
        """Build every look-up now, so that no visitor's answer pays for it (at ×100: seconds)."""
        self.kmap.corpus_lower  # noqa: B018 - built on first access
        self.answerability  # noqa: B018
        self.units  # noqa: B018
        self.chunk_texts.words  # noqa: B018
        self.chunk_texts.named  # noqa: B018
        self.scope  # noqa: B018
        self.kinds  # noqa: B018
        self.asked  # noqa: B018
        self.sentence_meaning.warm(self.story_sentences())

    def story_sentences(self) -> list[str]:
        """Every sentence of the stories, as a story's answer reads them (``plans.guide.story_plan``)."""
        kmap = self.kmap
        sections = [kmap.person_section(p.name) for p in self.knowledge.persons if p.heading]
        return [
            kmap.text(s)
            for section in sections
            if section is not None
            for _, s in kmap.story_sentences(section)
        ]
