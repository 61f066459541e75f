"""The ``Advisor`` facade: one object that owns the embedder, index and answerer for a process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel

from .answer import Answer, Answerer
from .config import Settings
from .embeddings import embedder_id, make_embedder
from .errors import InputError
from .llm import EXTRACTIVE, backend_label, make_chat_model
from .retrieval import CrossEncoderReranker, Passage, Retriever
from .scope import ScopeGate
from .store import MANIFEST, IndexSnapshot, load_snapshot, make_client, vector_store
from .views import Views

if TYPE_CHECKING:
    from .plan import TransitionPlan
    from .rolecards import RoleCard


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
        self._lock = threading.Lock()
        self._answerer: Answerer | None = None
        self._views: Views | None = None
        self._manifest_mtime = -1.0
        self.retriever: Retriever | None = None
        self.refresh()

    @classmethod
    def load(cls, settings: Settings | None = None, **deps) -> Advisor:
        settings = settings or Settings()
        embedder = deps.pop("embedder", None) or make_embedder(settings.embedder)
        reranker = deps.pop("reranker", None)
        if reranker is None and settings.reranker:
            reranker = CrossEncoderReranker(settings.reranker)
        return cls(settings, embedder, reranker=reranker, **deps)

    def refresh(self) -> None:
        """Reload when a new index generation was switched in (e.g. by a concurrent ingest)."""
        path = Path(self.settings.data_dir) / MANIFEST
        mtime = path.stat().st_mtime if path.exists() else -1.0
        if self.retriever is not None and mtime == self._manifest_mtime:
            return
        with self._lock:
            snapshot = load_snapshot(self.settings, embedder_id(self.embedder))
            store = vector_store(self.client, snapshot.manifest.collection, self.embedder)
            self.retriever = Retriever(snapshot, store, self.embedder, self.settings, self.reranker)
            self._manifest_mtime = mtime

    @property
    def snapshot(self) -> IndexSnapshot:
        return self.retriever.snapshot

    def search(
        self, query: str, k: int = 5, role: str | None = None, mode: str | None = None
    ) -> list[Passage]:
        """Top-k passages for ``query``; ``role`` limits to that role's and general passages."""
        query = (query or "").strip()
        if not query:
            msg = "问题不能为空"
            raise InputError(msg)
        if len(query) > self.settings.max_question_chars:  # the embedder reads every token it is given
            msg = f"问题太长（{len(query)} 字），请精简到 {self.settings.max_question_chars} 字以内"
            raise InputError(msg)
        self.refresh()
        return self.retriever.search(query, k=k, role=role, mode=mode)

    # -- answering -------------------------------------------------------------------------------
    @property
    def views(self) -> Views:
        """The live generation's knowledge map, scope gate and answerability check (rebuilt when a
        new generation is switched in)."""
        snapshot = self.snapshot
        if self._views is None or self._views.snapshot is not snapshot:
            self._views = Views(snapshot, self.embedder, self.settings.refusal_threshold)
        return self._views

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

    @property
    def backend(self) -> str:
        return self.answerer.backend

    def stream(
        self,
        question: str,
        history: list | None = None,
        role: str | None = None,
        state: dict | None = None,
        plan=None,
    ) -> Iterator[str | Answer]:
        """Yield answer text pieces, then the final ``Answer`` with verified citations.

        ``history`` is the chat so far; the conversation state (role, person, path talked about) is
        derived from it, or taken from ``state`` (an earlier ``Answer.state``) when given. ``plan`` is a
        transition plan handed to the chat (its inputs, or the plan): a question about it ("这个计划的
        第二步…") is answered from the plan, and any other question gets the plan's role."""
        if plan is not None:
            from .plan_chat import answer_about, plan_role

            reply = answer_about(self.views, self._plan_of(plan), question or "")
            if reply is not None:
                return iter([reply.text, reply])
            role = role or plan_role(plan)
        return self.answerer.stream(question, history=history, role=role, state=state)

    def ask(
        self,
        question: str,
        history: list | None = None,
        role: str | None = None,
        state: dict | None = None,
        plan=None,
    ) -> Answer:
        final = None
        for item in self.stream(question, history=history, role=role, state=state, plan=plan):
            if isinstance(item, Answer):
                final = item
        assert final is not None
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
