"""Answering, orchestration only: read the question in the conversation, retrieve, decide scope and
coverage, compose (the chat model, or the offline composer), verify citations. Each step lives in its
own module."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage

from advisor.answering.answer import Answer, final_answer
from advisor.answering.compose import AnswerPlan, Piece, compose
from advisor.answering.conversation import advance
from advisor.answering.coverage import ABSENT, PARTIAL, Coverage, asks_raise, states_pay
from advisor.answering.derived import Derived
from advisor.answering.fitting import fit_prompt
from advisor.answering.handed import Handed, handed_reply, handed_role
from advisor.answering.intent import (
    REMEDY,
    analyze,
    asks_case,
    has,
    named_role,
    points_at_someone,
    topic_before,
)
from advisor.answering.kinds import by_meaning
from advisor.answering.messages import (
    QuestionTooLong,
    chat_messages,
    checked_question,
    last_exchanges,
    strip_injection,
)
from advisor.answering.plans.asked import asked_key
from advisor.answering.plans.choose import AnswerContext, ignore_words, plan_for
from advisor.answering.refer import named_beside, person_shown, pointed_intent, pointing, points_back
from advisor.answering.scope import ScopeDecision, asks_task
from advisor.answering.settle import (
    concluding,
    example_story,
    job_asked,
    settle,
    stays_in_section,
    stuck_crossing,
    tools_asked,
    unfound_risk,
    with_passages_role,
)
from advisor.answering.state import Intent, State
from advisor.config import Settings
from advisor.grounding.citations import verify
from advisor.grounding.format import (
    DENSE_DOWN_NOTICE,
    FALLBACK_NOTICE,
    INJECTION_NOTE,
    LLM_BUSY,
    NOT_COVERED_LINE,
)
from advisor.index.search import Passage
from advisor.llm.backends import describe_error, stream_with_retries
from advisor.text.tokens import PERSON_POINTER

log = logging.getLogger(__name__)

ASIDE_TAIL = "下面只说文章里讲到的部分："
REPLAY_QUESTIONS = 200  # earlier questions the conversation state is rebuilt from
# A question that names or continues a subject of the articles is answered unless it looks clearly like
# the out-of-scope examples ("老周后来呢" -0.018; "推荐几部好看的国漫" after his story -0.037).
FOLLOW_UP_FLOOR = -0.025
_PRONOUN = re.compile(r"[他她]")


def _before_pronoun(question: str) -> str:
    """The question up to its first 他/她: a relative named after it is compared with that person, not
    the one meant ("她有没有踩过坑，我怕我姐也踩": 她 is the story's)."""
    m = _PRONOUN.search(question)
    return question[: m.start()] if m else question


_SHE, _HE = "姐妹妈婆媳妻女闺", "哥弟爸公夫丈儿"


def _kin_meant(kin: str | None, question: str) -> bool:
    """The relative the asker spoke of may be who a pronoun means: not when the pronoun is the other one
    ("我姐…" then "那他具体咋做的": 他 is the case just shown, not her)."""
    if not kin or PERSON_POINTER.search(question):  # "那人后来呢": one's own wife is not "那人"
        return False
    own = "她" if any(c in kin for c in _SHE) else "他" if any(c in kin for c in _HE) else None
    return own is None or own in question or not _PRONOUN.search(question)


# Readings an article's own question may not replace: a path, a comparison, a move between roles or the
# toolkit the question names (their plans answer it whole).
ASKED_NOT_OVER = ("path", "compare", "transition", "toolkit")
_ROLE_SITUATIONS = ("pains", "risk", "paths", "path")  # what a role's asker may be in, by the articles
SITUATION_FLOOR = 0.0  # ...answered when the scope vote leans in, however narrowly
SETTLED_REPLAYS = 4  # of them, the last ones whose reading retrieval settles again (a search each)
SETTLED_CHARS = 200  # ...when they are question-sized: a pasted page is read by its words only
REFUSAL_HEAD = "抱歉，这个问题超出了我的知识范围，我不会凭空作答。"
REFUSAL_INTRO = (
    "我是「转型顾问」，只根据知识库里的文章回答互联网从业者（技术、产品、运营、市场）的职业转型问题，例如："
)
REFUSAL_TAIL = "欢迎换个问题问我。"
CJK_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")
PROMPT_EXTRA_PASSAGES = 2  # retrieved passages added to the plan's own in the chat model's prompt


def _asked_after(msgs: list[dict]) -> list[tuple[str, str]]:
    """Each user question with the assistant answer shown just before it ("" for the first)."""
    out, shown = [], ""
    for m in msgs:
        if m["role"] == "user":
            out.append((m["content"], shown))
        elif m["role"] == "assistant":
            shown = m["content"]
    return out


def refusal_text(topics: tuple[str, ...], head: str = REFUSAL_HEAD) -> str:
    """The polite refusal, naming what the knowledge base can help with."""
    items = "；\n".join(f"- {t}" for t in topics) + "。"
    return f"{head}\n\n{REFUSAL_INTRO}\n{items}\n\n{REFUSAL_TAIL}"


class Index(Protocol):
    """What answering needs from the index: search, and the derived of its live generation."""

    @property
    def derived(self) -> Derived: ...

    def search(
        self, query: str, k: int = 5, role: str | None = None, hint: str | None = None
    ) -> list[Passage]: ...


@dataclass
class Turn:
    """One question, read in its conversation: everything the composing step needs."""

    question: str
    query: str
    intent: Intent
    state: State
    passages: list[Passage]
    decision: ScopeDecision
    coverage: Coverage
    shown: str
    injected: bool
    derived: Derived  # the generation the whole answer reads
    history: list[dict] = field(default_factory=list)
    degraded: bool = False  # the vector store did not answer: BM25 alone found the passages


_HOW = re.compile(r"怎么|咋|如何|多少")
_WHILE = re.compile(r"以后|之后|的时候|时候")


class Answerer:
    """Turns a question into an ``Answer``; the index and the chat model are handed in."""

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
        self.model_slots = threading.BoundedSemaphore(settings.llm_concurrency)

    # -- reading the question --------------------------------------------------------------------
    def read(
        self, question: str, history: list | None, role: str | None, state: dict | None, index: Index
    ) -> Turn:
        derived = index.derived
        kb, kmap = derived.knowledge, derived.kmap
        msgs = chat_messages(history, self.settings.history_messages, self.settings.history_chars)
        hist = last_exchanges(msgs, self.settings.history_turns)  # what a model reads as context
        cleaned, injected = strip_injection(question)
        shown = next((m["content"] for m in reversed(hist) if m["role"] == "assistant"), "")
        # "第二步再细说说": the step it points to is searched and composed for, not read for its intent
        item, pointed = pointing(cleaned, shown, kb)
        # The state comes from the whole conversation, not the context window: a role said in the
        # first message is still the asker's ten questions later (replaying one costs ~0.2 ms).
        asked_after = _asked_after(msgs)[-REPLAY_QUESTIONS:]
        users = [q for q, _ in asked_after]
        prior = State.from_dict(state) if state is not None else self.replay(asked_after, role, index)
        # 她 = who does that job; but "他" is the husband when the asker spoke of one ("帮我老公问下…")
        kin = next(
            (w for u in [*users, _before_pronoun(cleaned)] for w in kb.cues("kin") if has(u, (w,))), None
        )
        if (
            prior.person is None
            and item is None
            and prior.topic != "explain"
            # "有没有类似的人回县城后干成了的？" → "他现在具体在做啥？": who was asked for, not 我爸
            and (not _kin_meant(kin, cleaned) or (bool(users) and asks_case(users[-1], kb)))
        ):
            told = person_shown(cleaned, shown, kb.persons)
            if told is not None:  # a story told, or a path's case quoted
                prior = replace(prior, person=told.name, topic="story" if told.heading else "case")
        asked = analyze(cleaned, prior, kb, kmap, role) if cleaned else Intent()
        if item and named_beside(asked, cleaned, item):
            item, pointed = None, cleaned  # "第一个用户运营那个有例子吗": the name said is what is meant
        asked = pointed_intent(asked, prior, item, kmap) if item else asked
        # "指南里对这种做法怎么说": the earlier question says what "这种做法" is
        back = (
            bool(users)
            and not asked.follow_up
            and not any(n.lower() in cleaned.lower() for n in asked.names())  # it names nothing itself
            and points_back(cleaned)
        )
        before = users[-1] if users and (asked.follow_up or back) else ""
        intent, query, passages = self.retrieve(pointed, asked, prior, role, index, before)
        if users:  # "这样能去干产品经理么" after "我是学文科的没写过代码"
            intent = topic_before(intent, cleaned, users[-1], kb)
        # Scope is judged on the question itself: names the conversation added to the search would make
        # "帮我写一段python爬虫代码" after a question about 运营 look like one about 运营. A question that
        # stands on the one before it is judged with it.
        decision = derived.scope.decide(f"{before} {pointed}" if back else pointed, passages)
        # It names, or continues, what the articles are about; or the asker says their role, retrieval
        # finds that role's situation and the vote leans in scope ("刚被优化了，之前做社群运营的，现在有点慌";
        # not "做技术的，帮我看看这段SQL哪错了").
        # A story asked for ("讲个被裁后翻身的故事") and found is named, though no person is.
        # So is someone the articles tell of, pointed at ("那个被裁的女主编最后说的那几句话") and found.
        told = intent.kind == "story" and (
            has(cleaned, kb.cues("story_asked")) or (intent.person is not None and points_at_someone(cleaned))
        )
        # A way the guide's risk control gives, asked in its words ("有没有说先小范围试一试的法子"), names it.
        # So is the way the conversation is on, named again ("先小范围试一下的话，多大规模算合适"), and a
        # question how to handle what the cue names ("那这笔钱到底该咋安排啊"), not what to do after it
        # ("裸辞以后怎么跟家人说": the cue only says when).
        risked = (
            intent.kind == "risk"
            and asked.risk is not None
            and (
                bool(REMEDY.search(cleaned))
                or asked.risk == prior.risk
                or bool(_HOW.search(cleaned) and not _WHILE.search(cleaned))
            )
        )
        named = (
            asked.kind != "general" or asked.follow_up or told or risked or intent.asked
        ) and decision.score >= FOLLOW_UP_FLOOR
        # So is one who says what happened to them ("我老公也是被优化的，天天在家唉声叹气"): the articles'
        # safety net speaks to it.
        situation = (
            (asked.stated_role or asked.situation)
            and intent.kind in _ROLE_SITUATIONS
            and decision.score >= SITUATION_FLOOR
        )
        if query and passages and (named or situation):
            decision = replace(decision, in_scope=True)
        if asks_task(cleaned):
            decision = replace(decision, in_scope=False)  # "帮我把这段PRD改成周报": a job, not a question
        # Whether the question names a subject of the articles is read from its words: a unit that
        # retrieval found does not excuse a topic the articles lack ("猪八戒网入驻要交多少钱").
        about = asked.kind if asked.kind != "general" and not asked.described else None
        likeness = derived.scope.covered_margin(pointed) if query else None  # the vector scope just used
        coverage = (
            derived.answerability.assess(cleaned, passages, about, likeness, asked.follow_up)
            if query
            else Coverage()
        )
        state_after = advance(prior, intent)
        if kin and not state_after.kin:  # "帮我老公问下…": the role remembered is his
            state_after = replace(state_after, kin=kin)
        turn = Turn(
            pointed, query, intent, state_after, passages, decision, coverage, shown, injected, derived, hist
        )
        turn.degraded = getattr(passages, "degraded", None) is not None
        return turn

    def retrieve(
        self, question: str, intent: Intent, prior: State, role: str | None, index: Index, before: str = ""
    ) -> tuple[Intent, str, list[Passage]]:
        """Search for the question (with the names the conversation supplied), then let the unit
        retrieval ranks first settle what is asked about. A follow-up that continues a topic with no
        name to supply ("有例子吗" after the pains) is searched with the question ``before`` it."""
        kb = index.derived.knowledge
        names = [
            n
            for n in intent.names()
            if n.lower() not in question.lower() and _supplied(n, intent, prior, kb, question)
        ]
        # the pains, the toolkit (no names); or what "这种做法" stands for (not a continued topic)
        said = [before] if before and (not intent.names() or not intent.follow_up) else []
        query = " ".join([question, *names, *said]).strip()[: self.settings.max_question_chars]
        # The role the search prefers is read here, once, from the words searched for.
        hint = named_role(query, kb)
        passages = index.search(query, k=self.settings.top_k, role=role, hint=hint) if query else []
        units = index.derived.units
        unit, lead = units.leader(passages)
        # "她不是技术出身 能做产品吗": what the PM article asks itself, and answers
        found = index.derived.asked.read(question, passages) if intent.kind not in ASKED_NOT_OVER else None
        if found is not None and not (intent.person and has(question, (intent.person,))):
            intent = replace(intent, asked=asked_key(found))
        quoted = units.quoted(question)
        if quoted is not None:  # "试错成本高，是啥意思": the section whose heading says it, clearly
            unit, lead = quoted, 1.0
        elif (story := example_story(intent, passages, units, question, kb)) is not None:
            return story, query, passages
        # What the cue words left general, its meaning may name (``answering/kinds.py``).
        if intent.kind == "conclusion":
            intent = concluding(intent, passages, index.derived.kmap)
        intent = by_meaning(intent, index.derived.kinds, question, passages, units, lead)
        settled = settle(intent, unit, lead, question, kb, index.derived.kmap)
        settled = stuck_crossing(settled, question, passages, units)
        settled = unfound_risk(settled, question, passages, units, prior.topic)
        settled = job_asked(settled, question, passages, units)
        settled = tools_asked(settled, question, kb)
        settled = stays_in_section(settled, question, passages, units, prior.topic, prior.detail)
        return with_passages_role(settled, passages, units), query, passages

    def replay(self, questions: list[tuple[str, str]], role: str | None, index: Index) -> State:
        """The state after the user's earlier questions, each with the answer shown before it; the last
        few are settled by retrieval as they were when asked (older ones by their words only: a search
        each would cost too much). "第二个具体说说" is read again as the item it pointed to."""
        derived = index.derived
        kb = derived.knowledge
        state = State()
        for k, (q, shown) in enumerate(questions):
            cleaned = strip_injection(q)[0][: self.settings.max_question_chars]
            intent = analyze(cleaned, state, kb, derived.kmap, role) if cleaned else Intent()
            item, pointed = pointing(cleaned, shown, kb)
            intent = pointed_intent(intent, state, item, derived.kmap) if item else intent
            if cleaned and k >= len(questions) - SETTLED_REPLAYS and len(cleaned) <= SETTLED_CHARS:
                intent = self.retrieve(pointed, intent, state, role, index)[0]
            state = advance(state, intent)
        return state

    def _amount_shown(self, turn: Turn) -> Turn:
        """An amount said missing because the best passages lack it, which the answer's own lines give
        ("工资能涨多少" → a path's "薪资涨幅可达 30%-50%"): the answer does not open by saying it is
        missing. Only for a raise, which the articles state: a salary or a price they never give, and a
        figure of another kind among the answer's lines must not hide that. The answer is composed once
        without the note to see what it shows."""
        if not (turn.coverage.amount and asks_raise(turn.question)):
            return turn
        reason = "an amount of money asked for, which the answer's own lines give"
        unnoted = replace(turn, coverage=replace(turn.coverage, missing=(), amount=False, reason=reason))
        body, _ = self.excerpt(unnoted)
        return unnoted if states_pay(turn.question, body) else turn

    def answer_plan(self, turn: Turn) -> AnswerPlan:
        derived = turn.derived
        if turn.coverage.verdict == PARTIAL:
            plan = AnswerPlan("partial", min_pieces=1)
            head = NOT_COVERED_LINE.format(focus=turn.coverage.focus_text)
            plan.notes.append(f"{head[:-1]}，只提到了“{turn.coverage.head}”：")
            plan.pieces = [Piece(s, "", 1.0, 120, order=k) for k, s in enumerate(turn.coverage.mentions)]
            return plan
        plan = plan_for(
            AnswerContext(
                derived.kmap,
                turn.intent,
                turn.shown,
                turn.passages,
                turn.question,
                derived.chunk_texts,
                derived.sentence_meaning,
            )
        )
        if turn.coverage.missing:  # covered, but one named topic of the question is not
            plan.notes.insert(0, NOT_COVERED_LINE.format(focus=turn.coverage.focus_text) + ASIDE_TAIL)
        return plan

    def excerpt(self, turn: Turn) -> tuple[str, list[Passage]]:
        derived = turn.derived
        return compose(
            self.answer_plan(turn),
            turn.question,
            derived.bodies,
            derived.chunks,
            derived.knowledge,
            derived.idf,
            self.settings.answer_chars,
            ignore_words(derived.knowledge),
            derived.answerability.present,
            getattr(turn.passages, "similar", None),
        )

    # -- public API ------------------------------------------------------------------------------
    def stream(
        self,
        question: str,
        *,
        index: Index | None = None,
        handed: Sequence[Handed] = (),
        history: list | None = None,
        role: str | None = None,
        state: dict | None = None,
    ) -> Iterator[str | Answer]:
        """Yield text pieces as they are produced, then the final ``Answer``. ``index`` is the
        generation to read for the whole answer (default: the answerer's own); ``handed`` are what the
        app handed the chat (a plan, a followed plan), tried first (see ``answering.handed``)."""
        index = index or self.index
        reply = handed_reply(handed, question or "", index.derived) if handed else None
        if reply is not None:
            yield reply.text
            yield reply
            return
        role = handed_role(handed, role)
        derived = index.derived  # built once per index generation (embeds examples): not the answer's time
        _ = (derived.kmap, derived.scope, derived.answerability, derived.kinds, derived.asked)
        # The model must be done by then, leaving a moment for the excerpt answer if it is not.
        deadline = time.monotonic() + self.settings.deadline * 0.9
        try:
            question = checked_question(question, self.settings.max_question_chars)
        except QuestionTooLong as exc:
            yield str(exc)
            yield Answer(text=str(exc), refused=True, backend=self.backend, notice="问题过长")
            return
        turn = self._amount_shown(self.read(question, history, role, state, index))
        if not turn.decision.in_scope or turn.coverage.verdict == ABSENT:
            yield from self._refuse(turn)
            return
        prefix = notices(turn)
        if self.chat_model is None:
            body, passages = self.excerpt(turn)
            text = prefix + body
            yield text
            yield self._finish(text, passages, turn, "extractive", None)
            return
        yield from self._generated(turn, prefix, deadline)

    def ask(self, question: str, **options: Any) -> Answer:
        """:meth:`stream` read to its final ``Answer`` (the same options)."""
        return final_answer(self.stream(question, **options))

    # -- the ways an answer ends -----------------------------------------------------------------
    def _refuse(self, turn: Turn) -> Iterator[str | Answer]:
        topics = turn.derived.knowledge.refusal_topics
        if turn.coverage.verdict == ABSENT:
            text = refusal_text(
                topics, NOT_COVERED_LINE.format(focus=turn.coverage.focus_text) + "我不会凭空作答。"
            )
        else:
            text = refusal_text(topics)
        text = (DENSE_DOWN_NOTICE + "\n\n" if turn.degraded else "") + text
        yield text
        yield Answer(
            text=text,
            refused=True,
            backend=self.backend,
            query=turn.query,
            relevance=turn.decision.score,
            notice=INJECTION_NOTE if turn.injected else (DENSE_DOWN_NOTICE if turn.degraded else None),
            intent=turn.intent.kind,
            state=turn.state.to_dict(),
            coverage=turn.coverage.to_dict(),
            retrieved=turn.passages,
        )

    def _prompt(self, turn: Turn) -> tuple[list[BaseMessage], list[Passage]]:
        """The chat model sees the plan's passages (what the composer would quote) and the best
        retrieved ones, the conversation state and what the articles do not cover."""
        _, planned = self.excerpt(turn)
        seen = {p.chunk_id for p in planned}
        extra = [p for p in turn.passages if p.chunk_id not in seen][:PROMPT_EXTRA_PASSAGES]
        hist_state = turn.state.describe()
        missing = turn.coverage.focus_text  # partly covered, or a named topic beside what is covered
        return self.fit(turn.question, planned + extra, turn.history, hist_state, missing)

    def fit(
        self, question: str, passages: list[Passage], history: list[dict], state: str = "", missing: str = ""
    ) -> tuple[list[BaseMessage], list[Passage]]:
        """The prompt for this answerer's chat model, fitted into its window (``answering.fitting``)."""
        return fit_prompt(self.chat_model, question, passages, history, state, missing)

    def _generated(self, turn: Turn, prefix: str, deadline: float) -> Iterator[str | Answer]:
        """The chat model's answer, if a model slot is free at once: answers that need no model (and
        this one's excerpt) never queue behind model calls that hang."""
        if not self.model_slots.acquire(blocking=False):
            log.warning("every model slot is taken: excerpt answer instead")
            yield from self._excerpt_instead(turn, prefix, LLM_BUSY, [])
            return
        try:
            yield from self._model_answer(turn, prefix, deadline)
        finally:
            self.model_slots.release()

    def _model_answer(self, turn: Turn, prefix: str, deadline: float) -> Iterator[str | Answer]:
        """The chat model's streamed answer, or the excerpt answer with a one-line notice; the model's
        whole reply (retries and a trickling stream included) ends by ``deadline``."""
        msgs, shown = self._prompt(turn)
        pieces: list[str] = []
        notice = None
        try:
            if prefix:
                yield prefix
            retries = self.settings.llm_max_retries
            timeout = self.settings.llm_timeout
            for piece in stream_with_retries(self.chat_model, msgs, timeout, retries, deadline):
                pieces.append(piece)
                yield piece
        except Exception as exc:
            notice = describe_error(exc)
            log.warning("LLM failed, falling back to extractive answer: %s", notice)
        text = "".join(pieces).strip()
        if notice is None and not CJK_PAIR.search(text):
            notice = "大模型返回了空的或无法使用的回答"
        if notice is None:
            answer = self._finish(prefix + text, shown, turn, self.backend, None)
            if answer.citations:
                yield answer
                return
            notice = "大模型的回答无法与资料对应"
        yield from self._excerpt_instead(turn, prefix, notice, pieces)

    def _excerpt_instead(
        self, turn: Turn, prefix: str, notice: str, pieces: list[str]
    ) -> Iterator[str | Answer]:
        body, passages = self.excerpt(turn)
        fallback = FALLBACK_NOTICE.format(notice=notice) + "\n\n" + prefix + body
        yield ("\n\n" if pieces else "") + fallback
        yield self._finish(fallback, passages, turn, "extractive", notice)

    def _finish(
        self, text: str, passages: list[Passage], turn: Turn, backend: str, notice: str | None
    ) -> Answer:
        # A chat model's sentence about what the articles lack is flagged whatever it cites.
        uncovered = turn.coverage.missing if backend != "extractive" else ()
        clean, citations, unsupported = verify(text, passages, turn.derived.bodies, uncovered)
        return Answer(
            text=clean,
            citations=citations,
            passages=passages,
            backend=backend,
            query=turn.query,
            notice=notice or (DENSE_DOWN_NOTICE if turn.degraded else None),
            unsupported=unsupported,
            relevance=turn.decision.score,
            intent=turn.intent.kind,
            state=turn.state.to_dict(),
            coverage=turn.coverage.to_dict(),
            retrieved=turn.passages,
        )


def notices(turn: Turn) -> str:
    """The lines that open an answer: dense retrieval unavailable, an instruction ignored."""
    lines = [DENSE_DOWN_NOTICE] if turn.degraded else []
    lines += [INJECTION_NOTE] if turn.injected else []
    return "".join(line + "\n\n" for line in lines)


def _supplied(name: str, intent: Intent, prior: State, kb, question: str) -> bool:
    """A name the conversation supplied ("第二条路" after 运营; "他" for 老张): added to the search so a
    follow-up finds its passages. A name only guessed from the question's words is not: the question's
    own words search better than the guess ("阿里出来的运营总监" is 王姐's story, not a path)."""
    remembered = {prior.role, prior.person, prior.path, *prior.subjects}
    ordinal = kb.pattern("ordinal")
    return intent.follow_up or name in remembered or bool(ordinal and ordinal.search(question))
