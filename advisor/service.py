"""The ``Advisor`` facade: one object that owns the embedder, index and answerer for a process.

It follows the live-generation pointer in Chroma: at most every ``refresh_seconds`` it checks which
generation is live, loads a new one completely in the background (passages, bodies, BM25, and the
data answering derives from it: knowledge map, scope gate, answerability) and then replaces the old
one in a single assignment. Each answer pins the generation it started on, so no answer mixes two.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel

from advisor.answering.answer import Answer, final_answer
from advisor.answering.answerer import Answerer
from advisor.answering.derived import Derived
from advisor.answering.handed import Handed
from advisor.answering.messages import checked_question
from advisor.answering.scope import ScopeGate
from advisor.config import Settings
from advisor.index.chroma import ChromaCollection, make_client, read_live
from advisor.index.embeddings import embedder_id, make_embedder
from advisor.index.search import INFER, CrossEncoderReranker, Passage, Retriever
from advisor.index.snapshot import IndexSnapshot, check_embedder, load_generation
from advisor.llm.backends import EXTRACTIVE, backend_label, make_chat_model

if TYPE_CHECKING:
    from advisor.cards import RoleCard
    from advisor.planning.model import TransitionPlan
    from advisor.progress.report import ProgressReport
    from advisor.progress.store import ProgressStore

log = logging.getLogger(__name__)


@dataclass
class Live:
    """One loaded generation: its retriever and what answering derives from it."""

    retriever: Retriever
    derived: Derived

    @property
    def generation(self) -> int:
        return self.retriever.snapshot.manifest.generation


class OnGeneration:
    """What answering reads from a loaded generation (``_live``): the ``Advisor``'s live one, or the one
    a ``PinnedGeneration`` holds."""

    _live: Live

    @property
    def snapshot(self) -> IndexSnapshot:
        return self._live.retriever.snapshot

    @property
    def derived(self) -> Derived:
        """The generation's knowledge map, scope gate and answerability check (built on first use,
        and ahead of time for each new generation once answering uses them)."""
        return self._live.derived

    @property
    def scope(self) -> ScopeGate:
        return self._live.derived.scope


class PinnedGeneration(OnGeneration):
    """One generation pinned for the length of an answer: search, snapshot and derived agree."""

    def __init__(self, adv: Advisor, live: Live) -> None:
        self._adv, self._live = adv, live

    def search(
        self, query: str, k: int = 5, role: str | None = None, mode: str | None = None, hint=INFER
    ) -> list[Passage]:
        """The pinned retriever's search; ``hint`` is the role answering read the question to be about."""
        checked = self._adv.checked_query(query)
        return self._live.retriever.search(checked, k=k, role=role, mode=mode, hint=hint)


class Advisor(OnGeneration):
    """Search and ask over the persistent index.

    Dependencies can be handed in (``embedder``, ``client``, ``reranker``, ``chat_model``) so tests and
    other programs decide what runs; ``Advisor.load()`` builds the defaults from settings.
    """

    def __init__(
        self,
        settings: Settings,
        embedder: Embeddings,
        client=None,
        reranker=None,
        chat_model: BaseChatModel | None = None,
    ):
        self.settings = settings
        self.embedder = embedder
        self.client = client if client is not None else make_client(settings)
        self.reranker = reranker
        self.chat_model = chat_model
        self._answerer: Answerer | None = None
        self._progress: ProgressStore | None = None
        self._live: Live | None = None
        self._checked_at = 0.0
        self._loading = threading.Lock()
        self.refresh(wait=True)

    @classmethod
    def load(cls, settings: Settings | None = None, **deps) -> Advisor:
        settings = settings or Settings()
        embedder = deps.pop("embedder", None) or make_embedder(settings.embedder)
        reranker = deps.pop("reranker", None)
        if reranker is None and settings.reranker:
            reranker = CrossEncoderReranker(settings.reranker)
        return cls(settings, embedder, reranker=reranker, **deps)

    # -- following the live generation -----------------------------------------------------------
    def refresh(self, wait: bool = False) -> None:
        """Switch to a newly ingested generation. Without ``wait`` this checks at most every
        ``refresh_seconds`` and loads in the background (callers keep the current generation
        meanwhile); with ``wait`` it checks now and returns once the live generation serves."""
        if wait or self._live is None:
            self._follow()
            return
        if time.monotonic() - self._checked_at < self.settings.refresh_seconds or self._loading.locked():
            return
        self._checked_at = time.monotonic()
        threading.Thread(target=self._follow_quietly, name="advisor-refresh", daemon=True).start()

    def _follow(self) -> None:
        with self._loading:
            self._checked_at = time.monotonic()
            manifest = read_live(self.client, self.settings)
            current = self._live
            if current is not None and (manifest.generation, manifest.built_at) == (
                current.generation,
                current.retriever.snapshot.manifest.built_at,
            ):
                return
            check_embedder(manifest, embedder_id(self.embedder))
            snapshot = load_generation(self.client, manifest)
            collection = ChromaCollection.open(self.client, manifest.collection)
            live = Live(
                Retriever(snapshot, collection, self.embedder, self.settings, self.reranker),
                Derived(snapshot, self.embedder, self.settings.refusal_threshold),
            )
            if current is not None and "kmap" in vars(current.derived):
                live.derived.warm()  # answers are being given: have their look-ups ready before the switch
            self._live = live  # the switch: one assignment; answers in flight keep their pinned view
            if current is not None:
                log.info("switched from index generation %s to %s", current.generation, live.generation)

    def _follow_quietly(self) -> None:
        try:
            self._follow()
        except Exception as exc:  # the server is briefly away, or a generation was swept mid-load
            log.warning("index refresh failed, still serving generation %s: %s", self.generation, exc)

    @property
    def generation(self) -> int:
        return self._live.generation if self._live else 0

    @property
    def retriever(self) -> Retriever:
        return self._live.retriever

    def view(self) -> PinnedGeneration:
        """The live generation, pinned (see :class:`PinnedGeneration`)."""
        self.refresh()
        return PinnedGeneration(self, self._live)

    def checked_query(self, query: str) -> str:
        return checked_question(query, self.settings.max_question_chars)

    def search(
        self, query: str, k: int = 5, role: str | None = None, mode: str | None = None
    ) -> list[Passage]:
        """Top-k passages for ``query``; ``role`` limits to that role's and general passages."""
        return self.view().search(query, k=k, role=role, mode=mode)

    # -- answering (``derived`` and ``scope``: see ``OnGeneration``) ------------------------------
    @property
    def answerer(self) -> Answerer:
        if self._answerer is None:
            if self.chat_model is None and self.settings.llm_provider not in EXTRACTIVE:
                self.chat_model = make_chat_model(self.settings)
            self._answerer = Answerer(
                self.settings,
                index=self,
                chat_model=self.chat_model,
                backend=backend_label(self.settings, self.chat_model),
            )
        return self._answerer

    @property
    def backend(self) -> str:
        return self.answerer.backend

    def stream(
        self,
        question: str,
        history: list | None = None,
        role: str | None = None,
        state: dict | None = None,
        view: PinnedGeneration | None = None,
        plan=None,
        progress: str | None = None,
    ) -> Iterator[str | Answer]:
        """Yield answer text pieces, then the final ``Answer`` with verified citations.

        ``history`` is the chat so far; the conversation state (role, person, path talked about) is
        derived from it, or taken from ``state`` (an earlier ``Answer.state``) when given. Pass the
        ``view`` you render the answer's sources from, so both come from the same generation. ``plan`` is
        a transition plan handed to the chat (its inputs, or the plan): a question about it ("这个计划的
        第二步…") is answered from the plan, and any other question gets the plan's role. ``progress`` is a
        followed plan's token: "我这周该干嘛", "是不是该放弃了", "进展怎么样" are answered from it."""
        if progress is None and isinstance(plan, dict):  # the app hands a followed plan's token with it
            progress = plan.get("progress")
        handed = self._handed(plan, progress)
        return self.answerer.stream(
            question, index=view or self.view(), handed=handed, history=history, role=role, state=state
        )

    def ask(self, question: str, **options: Any) -> Answer:
        """:meth:`stream` read to its final ``Answer`` (the same options)."""
        return final_answer(self.stream(question, **options))

    def _handed(self, plan, progress: str | None) -> list[Handed]:
        """What the chat was handed, in the order it is asked: the followed plan, then the plan."""
        handed: list[Handed] = []
        if progress:
            from advisor.progress.in_chat import FollowedInChat

            handed.append(FollowedInChat(progress, self.progress_store))
        if plan is not None:
            from advisor.planning.in_chat import PlanInChat

            handed.append(PlanInChat(plan, lambda inputs: self.plan(inputs, use_llm=False)))
        return handed

    # -- the transition plan and the role cards --------------------------------------------------
    def plan(self, inputs, use_llm: bool = True) -> TransitionPlan:
        """The personal transition plan for ``inputs`` (a mapping or ``PlanInput``); the configured chat
        model, if any, adds its verified connecting sentences."""
        from advisor.planning.build import build_plan

        self.refresh()
        chat_model = self.answerer.chat_model if use_llm else None
        return build_plan(self.derived, inputs, chat_model, self.settings, self.backend)

    def card_names(self) -> list[str]:
        from advisor.cards import card_names

        return card_names(self.derived.kmap)

    def card(self, name: str) -> RoleCard:
        """The 岗位速览 card of an explained role or a mid-level role (``card_names()``)."""
        from advisor.cards import build_card

        self.refresh()
        return build_card(self.derived, name)

    # -- 转型跟进: followed plans ---------------------------------------------------------------------
    @property
    def progress_store(self) -> ProgressStore:
        if self._progress is None:
            from advisor.progress.store import ProgressStore

            self._progress = ProgressStore.from_settings(self.settings)
        return self._progress

    def follow(self, inputs, targets=None, monthly_pay=None, start=None) -> str:
        """Save a plan for following (its inputs and metrics); returns the private token, shown once."""
        from advisor.progress.follow import save_plan

        self.refresh()
        return save_plan(self.derived, self.progress_store, inputs, targets, monthly_pay, start)

    def check_in(self, token: str, raw) -> ProgressReport:
        """Record a week (``{"values": {...}, "hours", "spent", "savings_months", "note", "day"}``)."""
        from advisor.progress.follow import check_in

        check_in(self.progress_store, token, raw)
        return self.progress(token)

    def progress(self, token: str, with_plan: bool = False) -> ProgressReport:
        """The dashboard and the rules that apply; ``with_plan`` adds the whole plan (the export)."""
        from advisor.progress.report import progress_report

        self.refresh()
        followed = self.progress_store.load(token)
        plan = self.plan(followed.inputs, use_llm=False) if with_plan else None
        return progress_report(self.derived, followed, plan)

    def forget(self, token: str) -> int:
        """Delete the followed plan and all its check-ins; how many rows went."""
        return self.progress_store.delete(token)
