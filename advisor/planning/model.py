"""The personal transition plan (转型规划): the guide's toolkit filled in for one person.

What the person tells us (``PlanInput``: role, years, level, goal, savings, hours, a note) is checked
with Chinese messages; the plan's sections (``sections.py``) and its 90-day timeline
(``timeline.py``) are built from the guide's structure only, as verbatim quotes and label lines
(``grounding/quotes.py``), then numbered and verified like a chat answer. With a chat model configured the model
may add a short paragraph that ties the plan to the person; each of its sentences must be supported by
the passages it cites, or it is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

from advisor.errors import CorpusError, InputError
from advisor.grounding.citations import Citation, cited_dict
from advisor.grounding.quotes import Line, Quote
from advisor.index.search import Passage
from advisor.kb.facts import Knowledge

if TYPE_CHECKING:
    from advisor.answering.answer import Answer

NOTE_LIMIT = 200
WINDOW = 90 / 7  # weeks: the first 90 days of the timeline
_NOTE_DROP = re.compile(r"[\[\]【】［］〔〕|#*`<>\r\n\t]+")


class KbPart:
    """A record read from one part of ``knowledge.yaml``: ``PART`` is its key, what needs it, and one
    more error a malformed part raises; ``_read`` builds the record from the part's mapping."""

    PART: ClassVar[tuple[str, str, type[Exception]]]

    @classmethod
    def _read(cls, raw: dict) -> Self:
        raise NotImplementedError

    @classmethod
    def from_kb(cls, kb: Knowledge) -> Self:
        """The record; a missing or malformed part is a ``CorpusError`` saying which."""
        key, purpose, also = cls.PART
        raw = kb.raw.get(key)
        if not isinstance(raw, dict):
            msg = f"knowledge.yaml 缺少 {key} 部分：{purpose}需要它"
            raise CorpusError(msg)
        try:
            return cls._read(raw)
        except (KeyError, TypeError, ValueError, also) as exc:
            msg = f"knowledge.yaml 的 {key} 部分格式不对：{exc}"
            raise CorpusError(msg) from exc


@dataclass(frozen=True)
class PlanData(KbPart):
    """The ``plan:`` part of ``knowledge.yaml`` (see the comments there)."""

    levels: tuple[str, ...]
    goals: dict[str, str | None]
    sections: dict[str, dict]
    refer: tuple[str, ...]
    rules: dict[str, tuple[str, str]]
    mvp_examples: tuple[dict, ...]
    trial_words: tuple[str, ...]
    indicators: dict[str, dict[str, tuple[str, ...]]]
    stoploss: tuple[tuple[str | None, ...], ...]
    resource_words: tuple[str, ...]
    stories: dict[str, dict]
    situations: dict[str, tuple[str, ...]] = field(default_factory=dict)  # section key -> note words
    now_words: tuple[str, ...] = ()  # "这周先做什么": the plan's first step(s), not a whole section
    PART: ClassVar = ("plan", "转型规划", IndexError)

    def situation(self, note: str, key: str) -> str | None:
        """The word of the person's note that makes section ``key`` lead ("刚被裁" -> reserve)."""
        return next((w for w in self.situations.get(key, ()) if w in (note or "")), None)

    @classmethod
    def _read(cls, raw: dict) -> PlanData:
        return cls(
            levels=tuple(raw["levels"]),
            goals=dict(raw["goals"]),
            sections={str(k): dict(v) for k, v in raw["sections"].items()},
            refer=tuple(raw.get("refer", ())),
            rules={str(k): (str(v[0]), str(v[1])) for k, v in raw["rules"].items()},
            mvp_examples=tuple(raw.get("mvp_examples", ())),
            trial_words=tuple(raw.get("trial_words", ())),
            indicators={
                r: {p: tuple(v) for p, v in (paths or {}).items()}
                for r, paths in (raw.get("indicators") or {}).items()
            },
            stoploss=tuple(tuple(row) for row in raw.get("stoploss", ())),
            resource_words=tuple(raw.get("resource_words", ())),
            stories=dict(raw.get("stories") or {}),
            situations={str(k): tuple(v) for k, v in (raw.get("situations") or {}).items()},
            now_words=tuple(raw.get("now_words", ())),
        )

    def title(self, key: str) -> str:
        return str(self.sections.get(key, {}).get("title", key))


def _number(value: Any, name: str, low: float, high: float, errors: list[str], whole: bool = False):
    text = str(value).strip() if value is not None else ""
    kind = "整数" if whole else "数字"
    try:
        number = float(text)
    except ValueError:
        errors.append(
            f"{name}请填 {low:g} 到 {high:g} 之间的{kind}" + (f"（收到「{text}」）" if text else "")
        )
        return None
    if not low <= number <= high or (whole and number != int(number)):
        errors.append(f"{name}请填 {low:g} 到 {high:g} 之间的{kind}（收到「{text}」）")
        return None
    return int(number) if whole else number


def _choice(value: Any, name: str, options, errors: list[str]) -> str:
    text = str(value or "").strip()
    if text not in options:
        got = f"（收到「{text}」）" if text else ""
        errors.append(f"{name}请选择：{' / '.join(options)}{got}")
    return text


def clean_note(note: str) -> str:
    """The free-text line as data: one line, no markup or citation-like brackets, at most 200 characters."""
    return " ".join(_NOTE_DROP.sub(" ", note or "").split())


def fmt(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class PlanInput:
    """What the person tells us about themselves."""

    role: str
    years: int
    level: str
    goal: str
    savings_months: float
    hours: float
    note: str = ""

    @classmethod
    def parse(cls, raw: Mapping | PlanInput, kb: Knowledge, data: PlanData | None = None) -> PlanInput:
        """Checked inputs; every problem is named at once, in Chinese (``InputError``)."""
        data = data or PlanData.from_kb(kb)
        raw = asdict(raw) if isinstance(raw, PlanInput) else dict(raw or {})
        errors: list[str] = []
        role = _choice(raw.get("role"), "岗位", kb.role_names, errors)
        years = _number(raw.get("years"), "工作年限", 0, 50, errors, whole=True)
        level = _choice(raw.get("level"), "级别", data.levels, errors)
        goal = _choice(raw.get("goal"), "目标", tuple(data.goals), errors)
        savings = _number(raw.get("savings_months"), "存款够几个月生活费", 0, 240, errors)
        hours = _number(raw.get("hours"), "每周可投入的小时数", 0, 168, errors)
        note = str(raw.get("note") or "").strip()
        if len(note) > NOTE_LIMIT:
            errors.append(f"补充说明请控制在 {NOTE_LIMIT} 字以内（现在 {len(note)} 字）")
        if errors:
            raise InputError("；".join(errors) + "。")
        return cls(role, years, level, goal, savings, hours, clean_note(note))

    def to_dict(self) -> dict:
        return asdict(self)

    def profile(self) -> str:
        """One line in the person's own terms."""
        return (
            f"{self.role}{self.level} · {self.years} 年经验 · 目标「{self.goal}」 · "
            f"存款够 {fmt(self.savings_months)} 个月生活费 · 每周可投入 {fmt(self.hours)} 小时"
        )

    def numbers(self) -> set[str]:
        """The figures the person gave (a plan may repeat them without a source)."""
        found = {fmt(self.years), fmt(self.savings_months), fmt(self.hours)}
        return found | set(re.findall(r"\d+(?:\.\d+)?", self.note))


@dataclass
class PlanSection:
    key: str
    title: str
    number: int | None  # None: the section that leads, before the numbered ones
    lines: list[Line]
    text: str = ""  # verified, with [n] markers

    @property
    def heading(self) -> str:
        return f"## {self.number}. {self.title}" if self.number else f"## {self.title}"


@dataclass
class TransitionPlan:
    inputs: PlanInput
    order: list[str]  # the role's paths in the order the plan puts them
    sections: list[PlanSection]
    timeline: list[TimelineItem]
    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    backend: str = "extractive"
    notice: str | None = None
    intro: str = ""  # the chat model's paragraph, verified; empty offline

    def section(self, key: str) -> PlanSection | None:
        return next((s for s in self.sections if s.key == key), None)

    def to_markdown(self, image: str = "") -> str:
        """The plan with its sources (every quote checkable offline); ``image`` (a Markdown image line)
        goes under the timeline's heading."""
        text = self.text
        timeline = self.section("timeline")
        if image and timeline is not None:
            text = text.replace(timeline.heading + "\n", f"{timeline.heading}\n\n{image}\n\n", 1)
        return text + "\n\n" + sources_markdown(self.citations)

    def to_dict(self) -> dict:
        return {
            "inputs": self.inputs.to_dict(),
            "order": self.order,
            "sections": [
                {"key": s.key, "title": s.title, "number": s.number, "text": s.text} for s in self.sections
            ],
            "timeline": [t.to_dict() for t in self.timeline],
            **cited_dict(self.text, self.citations, self.passages),
            "unsupported": self.unsupported,
            "backend": self.backend,
            "notice": self.notice,
        }

    def as_answer(self) -> Answer:
        """The plan as an ``Answer`` (for the sources panel, the CLI's source list and the evals)."""
        from advisor.answering.answer import Answer

        return Answer(
            text=self.text,
            citations=self.citations,
            passages=self.passages,
            backend=self.backend,
            notice=self.notice,
            unsupported=self.unsupported,
            intent="plan",
            state={"role": self.inputs.role},
        )


def sources_markdown(citations: list[Citation]) -> str:
    lines = ["## 来源", ""]
    for c in citations:
        where = f"{c.title} › {c.section}" if c.section else c.title
        quote = " ".join(c.quote.split())
        lines.append(f"[{c.n}] {where}（{c.doc_id} {c.start}-{c.end}）：“{quote}”")
    return "\n".join(lines)


def spaced(lines: list[Line]) -> list[Line]:
    """Blank lines where Markdown needs them: before every line that is not a list item or table row
    (so labels and notes are never folded into the line above) and before a table."""
    out: list[Line] = []
    for line in lines:
        first = line[0] if line and isinstance(line[0], str) else ""
        prev = out[-1][0] if out and out[-1] and isinstance(out[-1][0], str) else ""
        starts_table = first.startswith("|") and not prev.startswith("|")
        if out and prev != "" and (starts_table or not first.startswith(("- ", "|"))):
            out.append([""])
        out.append(line)
    return out


@dataclass(frozen=True)
class TimelineItem:
    """One row of the rhythm. ``start``/``end`` in weeks from now; ``None`` when the guide gives no time.
    ``when`` is the guide's own wording of the time; ``time`` the quote it comes from when that is not
    the item's own quote."""

    kind: str  # mvp | review | step | case
    label: str
    quote: Quote
    when: str = ""
    start: float | None = None
    end: float | None = None
    time: Quote | None = None
    head: Quote | None = None  # a step's own label, shown before the clause that gives its time

    @property
    def later(self) -> bool:
        """Starts after the first 90 days."""
        return self.start is not None and self.start >= WINDOW

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "when": self.when,
            "start_week": None if self.start is None else round(self.start, 1),
            "end_week": None if self.end is None else round(self.end, 1),
        }
