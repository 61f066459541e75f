"""Answering, orchestration only: condense the question, retrieve, refuse or compose (chat model or
the offline composer), verify citations. Each step lives in its own module."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Protocol

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage

from .citations import Citation, verify
from .compose import extractive_answer
from .config import Settings
from .errors import InputError
from .llm import describe_error, stream_with_retries
from .markup import FALLBACK_NOTICE, INJECTION_NOTE
from .prompts import build_messages, condense_messages, prompt_passages
from .query import condense_heuristic, infer_role, normalize_history, strip_injection
from .retrieval import Passage
from .scope import ScopeDecision, ScopeGate
from .store import IndexSnapshot

log = logging.getLogger(__name__)

REFUSAL_HEAD = "抱歉，这个问题超出了我的知识范围，我不会凭空作答。"
REFUSAL_INTRO = (
    "我是「转型顾问」，只根据知识库里的文章回答互联网从业者（技术、产品、运营、市场）的职业转型问题，例如："
)
REFUSAL_TAIL = "欢迎换个问题问我。"
TOO_LONG = "问题太长了（{n} 字）。请把问题精简到 {limit} 字以内，或分成几个小问题来问。"
CJK_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")


def refusal_text(topics: tuple[str, ...]) -> str:
    """The polite refusal, naming what the knowledge base can help with."""
    items = "；\n".join(f"- {t}" for t in topics) + "。"
    return f"{REFUSAL_HEAD}\n\n{REFUSAL_INTRO}\n{items}\n\n{REFUSAL_TAIL}"


@dataclass
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    refused: bool = False
    backend: str = "extractive"
    query: str = ""
    notice: str | None = None
    unsupported: list[str] = field(default_factory=list)
    relevance: float = 0.0

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "refused": self.refused,
            "backend": self.backend,
            "query": self.query,
            "notice": self.notice,
            "unsupported": self.unsupported,
            "relevance": round(self.relevance, 4),
        }


class Index(Protocol):
    """What answering needs from the index: search, and the live snapshot (bodies, knowledge, BM25)."""

    @property
    def snapshot(self) -> IndexSnapshot: ...

    @property
    def scope(self) -> ScopeGate: ...

    def search(self, query: str, k: int = 5, role: str | None = None) -> list[Passage]: ...


class Answerer:
    """Turns a question into an ``Answer``; the index (with its scope gate) and chat model are handed in."""

    def __init__(
        self,
        settings: Settings,
        index: Index,
        chat_model: BaseChatModel | None = None,
        backend: str = "extractive",
    ) -> None:
        self.settings = settings
        self.index = index
        self.chat_model = chat_model
        self.backend = backend if chat_model is not None else "extractive"

    # -- pipeline pieces -------------------------------------------------------------------------
    def condense(self, question: str, history: list[dict]) -> str:
        """A follow-up made standalone: by the chat model when it condenses (hosted models), else by rule."""
        if not history:
            return question
        if self.chat_model is not None and getattr(self.chat_model, "condenses", True):
            try:
                reply = str(self.chat_model.invoke(condense_messages(question, history)).content).strip()
                text = reply.splitlines()[0].strip() if reply else ""
                if 2 <= len(text) <= 200:
                    return text
            except Exception as exc:
                log.warning("condense failed: %s", describe_error(exc))
        return condense_heuristic(question, history, self.index.snapshot.knowledge)

    def fit(
        self, question: str, passages: list[Passage], history: list[dict], role: str | None
    ) -> tuple[list[BaseMessage], list[Passage]]:
        """Drop history, then the weakest passages, until the prompt fits the model's window."""
        style = getattr(self.chat_model, "prompt_style", "full")
        build = functools.partial(build_messages, style=style)
        passages = prompt_passages(question, passages, style)
        msgs = build(question, passages, history, role)
        counter = getattr(self.chat_model, "count_tokens", None)
        budget = getattr(self.chat_model, "prompt_budget", None)
        if counter is None or not budget:

            def tokens(m: list[BaseMessage]) -> int:
                return 0
        else:

            def tokens(m: list[BaseMessage]) -> int:
                return counter("\n".join(str(x.content) for x in m)) + 8 * len(m)

        while budget and tokens(msgs) > budget and (history or len(passages) > 1):
            history, passages = (history[2:], passages) if history else (history, passages[:-1])
            msgs = build(question, passages, history, role)
        while budget and tokens(msgs) > budget and len(passages[0].text) > 40:
            # One passage is still too long: keep its opening sentences (still an exact document span).
            passages = [shorten(passages[0], int(len(passages[0].text) * 0.8))]
            msgs = build(question, passages, history, role)
        return msgs, passages

    def excerpt(self, query: str, passages: list[Passage]) -> str:
        snap = self.index.snapshot
        return extractive_answer(query, passages, snap.bodies, snap.idf, snap.knowledge.person_names)

    # -- public API ------------------------------------------------------------------------------
    def stream(
        self, question: str, history: list | None = None, role: str | None = None
    ) -> Iterator[str | Answer]:
        """Yield text pieces as they are produced, then the final ``Answer``."""
        question = (question or "").strip()
        if not question:
            msg = "问题不能为空"
            raise InputError(msg)
        if len(question) > self.settings.max_question_chars:
            text = TOO_LONG.format(n=len(question), limit=self.settings.max_question_chars)
            yield text
            yield Answer(text=text, refused=True, backend=self.backend, notice="问题过长")
            return
        hist = normalize_history(history, self.settings.history_turns)
        cleaned, injected = strip_injection(question)
        # A condensed follow-up carries the previous question too; keep it within the search limit.
        query = (self.condense(cleaned, hist) if cleaned else "")[-self.settings.max_question_chars :]
        # An explicit role filters; a role only named in the conversation is a soft preference
        # (the retriever infers it from the condensed query) and frames the LLM prompt.
        passages = self.index.search(query, k=self.settings.top_k, role=role) if query else []
        role = role or infer_role(cleaned, self.index.snapshot.knowledge, hist)
        decision = self.index.scope.decide(query, passages)
        if not decision.in_scope:
            text = refusal_text(self.index.snapshot.knowledge.refusal_topics)
            yield text
            yield Answer(
                text=text,
                refused=True,
                backend=self.backend,
                query=query,
                relevance=decision.score,
                notice=INJECTION_NOTE if injected else None,
            )
            return
        prefix = INJECTION_NOTE + "\n\n" if injected else ""
        if self.chat_model is None:
            text = prefix + self.excerpt(query, passages)
            yield text
            yield self._finish(text, passages, query, decision, "extractive", None)
            return
        yield from self._generated(query, passages, hist, role, decision, prefix)

    def ask(self, question: str, history: list | None = None, role: str | None = None) -> Answer:
        final = None
        for item in self.stream(question, history, role):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def _generated(
        self,
        query: str,
        passages: list[Passage],
        hist: list[dict],
        role: str | None,
        decision: ScopeDecision,
        prefix: str,
    ) -> Iterator[str | Answer]:
        """The chat model's streamed answer, or the excerpt answer with a one-line notice."""
        msgs, shown = self.fit(query, list(passages), hist, role)
        pieces: list[str] = []
        notice = None
        try:
            if prefix:
                yield prefix
            retries = self.settings.llm_max_retries
            for piece in stream_with_retries(self.chat_model, msgs, self.settings.llm_timeout, retries):
                pieces.append(piece)
                yield piece
        except Exception as exc:
            notice = describe_error(exc)
            log.warning("LLM failed, falling back to extractive answer: %s", notice)
        text = "".join(pieces).strip()
        if notice is None and not CJK_PAIR.search(text):
            notice = "大模型返回了空的或无法使用的回答"
        if notice is None:
            answer = self._finish(prefix + text, shown, query, decision, self.backend, None)
            if answer.citations:
                yield answer
                return
            notice = "大模型的回答无法与资料对应"
        fallback = FALLBACK_NOTICE.format(notice=notice) + "\n\n" + prefix + self.excerpt(query, shown)
        yield ("\n\n" if pieces else "") + fallback
        yield self._finish(fallback, shown, query, decision, "extractive", notice)

    def _finish(self, text, passages, query, decision: ScopeDecision, backend, notice) -> Answer:
        clean, citations, unsupported = verify(text, passages, self.index.snapshot.bodies)
        return Answer(
            text=clean,
            citations=citations,
            passages=passages,
            backend=backend,
            query=query,
            notice=notice,
            unsupported=unsupported,
            relevance=decision.score,
        )


def shorten(p: Passage, limit: int) -> Passage:
    """The passage cut to at most ``limit`` characters at a sentence end, offsets adjusted."""
    cut = max((m.end() for m in re.finditer(r"[。！？!?；;\n]", p.text[:limit])), default=limit)
    return replace(p, text=p.text[:cut], end=p.start + cut)
