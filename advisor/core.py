"""The ``Advisor`` facade: one object that owns the embedder, index and answerer for a process.

It follows the live-generation pointer in Chroma: at most every ``refresh_seconds`` it checks which
generation is live, loads a new one completely in the background (passages, bodies, BM25, and the
views answering has been using: knowledge map, scope gate, answerability) and then replaces the old
one in a single assignment. Each answer pins the generation it started on, so no answer mixes two.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel

from .answer import Answer, Answerer
from .config import Settings
from .embeddings import embedder_id, make_embedder
from .errors import AdvisorError, InputError
from .llm import EXTRACTIVE, backend_label, make_chat_model
from .retrieval import CrossEncoderReranker, Passage, Retriever
from .scope import ScopeGate
from .snapshot import IndexSnapshot, check_embedder, load_generation
from .store import make_client, read_live
from .views import Views

if TYPE_CHECKING:
    from .plan import TransitionPlan
    from .rolecards import RoleCard

log = logging.getLogger(__name__)
WARM_VIEWS = ("kmap", "scope", "answerability")  # built lazily; rebuilt before a switch once in use


@dataclass
class Live:
    """One loaded generation: its retriever and what answering derives from it."""

    retriever: Retriever
    views: Views

    @property
    def generation(self) -> int:
        return self.retriever.snapshot.manifest.generation


class IndexView:
    """One generation pinned for the length of an answer: search, snapshot and views agree."""

    def __init__(self, adv: Advisor, live: Live) -> None:
        self._adv, self._live = adv, live

    @property
    def snapshot(self) -> IndexSnapshot:
        return self._live.retriever.snapshot

    @property
    def views(self) -> Views:
        return self._live.views

    @property
    def scope(self) -> ScopeGate:
        return self._live.views.scope

    def search(self, query: str, k: int = 5, role: str | None = None, mode: str | None = None):
        return self._live.retriever.search(self._adv.checked_query(query), k=k, role=role, mode=mode)


class Advisor:
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
            collection = self.client.get_collection(manifest.collection, embedding_function=None)
            live = Live(
                Retriever(snapshot, collection, self.embedder, self.settings, self.reranker),
                Views(snapshot, self.embedder, self.settings.refusal_threshold),
            )
            for name in WARM_VIEWS:  # answers are being given: have their views ready before the switch
                if current is not None and name in vars(current.views):
                    getattr(live.views, name)
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

    @property
    def snapshot(self) -> IndexSnapshot:
        return self._live.retriever.snapshot

    def view(self) -> IndexView:
        """The live generation, pinned (see :class:`IndexView`)."""
        self.refresh()
        return IndexView(self, self._live)

    def checked_query(self, query: str) -> str:
        query = (query or "").strip()
        if not query:
            msg = "问题不能为空"
            raise InputError(msg)
        if len(query) > self.settings.max_question_chars:  # the embedder reads every token it is given
            msg = f"问题太长（{len(query)} 字），请精简到 {self.settings.max_question_chars} 字以内"
            raise InputError(msg)
        return query

    def search(
        self, query: str, k: int = 5, role: str | None = None, mode: str | None = None
    ) -> list[Passage]:
        """Top-k passages for ``query``; ``role`` limits to that role's and general passages."""
        return self.view().search(query, k=k, role=role, mode=mode)

    # -- answering -------------------------------------------------------------------------------
    @property
    def views(self) -> Views:
        """The live generation's knowledge map, scope gate and answerability check (built on first use,
        and ahead of time for each new generation once answering uses them)."""
        return self._live.views

    @property
    def scope(self) -> ScopeGate:
        return self.views.scope

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

    def pinned_answerer(self, view: IndexView | None = None) -> Answerer:
        """The answerer, reading one generation (``view``, default: the live one) for the whole answer."""
        answerer = copy.copy(self.answerer)
        answerer.index = view or self.view()
        return answerer

    @property
    def backend(self) -> str:
        return self.answerer.backend

    def stream(
        self,
        question: str,
        history: list | None = None,
        role: str | None = None,
        state: dict | None = None,
        view: IndexView | None = None,
        plan=None,
    ) -> Iterator[str | Answer]:
        """Yield answer text pieces, then the final ``Answer`` with verified citations.

        ``history`` is the chat so far; the conversation state (role, person, path talked about) is
        derived from it, or taken from ``state`` (an earlier ``Answer.state``) when given. Pass the
        ``view`` you render the answer's sources from, so both come from the same generation. ``plan`` is
        a transition plan handed to the chat (its inputs, or the plan): a question about it ("这个计划的
        第二步…") is answered from the plan, and any other question gets the plan's role."""
        if plan is not None:
            from .plan_chat import answer_about, plan_role

            reply = answer_about((view or self.view()).views, self._plan_of(plan), question or "")
            if reply is not None:
                return iter([reply.text, reply])
            role = role or plan_role(plan)
        return self.pinned_answerer(view).stream(question, history=history, role=role, state=state)

    def ask(
        self,
        question: str,
        history: list | None = None,
        role: str | None = None,
        state: dict | None = None,
        view: IndexView | None = None,
        plan=None,
    ) -> Answer:
        if plan is None:
            return self.pinned_answerer(view).ask(question, history=history, role=role, state=state)
        final = None
        for item in self.stream(question, history=history, role=role, state=state, view=view, plan=plan):
            if isinstance(item, Answer):
                final = item
        if final is None:
            msg = "没有得到回答，请再问一次"
            raise AdvisorError(msg)
        return final

    # -- the transition plan and the role cards --------------------------------------------------
    def plan(self, inputs, use_llm: bool = True) -> TransitionPlan:
        """The personal transition plan for ``inputs`` (a mapping or ``PlanInput``); the configured chat
        model, if any, adds its verified connecting sentences."""
        from .plan import build_plan

        self.refresh()
        chat_model = self.answerer.chat_model if use_llm else None
        return build_plan(self.views, inputs, chat_model, self.settings, self.backend)

    def _plan_of(self, plan) -> TransitionPlan:
        from .plan import TransitionPlan
        from .plan_chat import plan_inputs

        return plan if isinstance(plan, TransitionPlan) else self.plan(plan_inputs(plan), use_llm=False)

    def card_names(self) -> list[str]:
        from .rolecards import card_names

        return card_names(self.views.kmap)

    def card(self, name: str) -> RoleCard:
        """The 岗位速览 card of an explained role or a mid-level role (``card_names()``)."""
        from .rolecards import build_card

        self.refresh()
        return build_card(self.views, name)
