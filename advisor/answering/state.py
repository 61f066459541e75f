"""What a question asks (``Intent``) and what the conversation remembers (``State``), as plain data:
``intent.py`` reads a question into an Intent, ``conversation.py`` moves the State on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    """The kind of question and the knowledge-base entities it is about."""

    kind: str = "general"
    role: str | None = None  # the asker's own role
    stated_role: bool = False  # the question itself says the asker's role
    path: str | None = None
    person: str | None = None
    subjects: tuple[str, ...] = ()  # explained roles (explain: one, compare: two, transition: the target)
    risk: str | None = None  # the risk-control strategy asked about or suggested by the situation
    topic: str | None = None  # an explainer topic (能力, 职业发展…) or "case" for a path's case
    follow_up: bool = False  # continues the previous topic without naming it
    described: bool = False  # the person is only described: a guess the answerability check must confirm
    situation: str | None = None  # the risk strategy the asker's situation points to (被裁 → 资源储备)
    # the article's own question this one asks (``plans.asked.asked_key``): its answer is the answer,
    # while the conversation moves on as the kind says
    asked: str | None = None
    # goes on from the section answered before, which another one words closer (``settle.stays_in_section``):
    # what it asks of that section is the answer, not the section again
    goes_on: bool = False

    def names(self) -> list[str]:
        """The entity words of the intent, to make a follow-up searchable on its own."""
        return [n for n in (self.person, self.role, self.path, *self.subjects, self.risk) if n]


@dataclass(frozen=True)
class State:
    role: str | None = None
    person: str | None = None
    path: str | None = None
    subjects: tuple[str, ...] = ()
    topic: str | None = None  # the kind of the last question
    risk: str | None = None
    detail: str | None = None  # the explained role's topic last asked about (能力, 职业发展…)
    situation: str | None = None  # as the asker said it, once: "我是被裁的运营" holds for the conversation
    kin: str | None = None  # the family member the asker speaks for ("帮我老公问下"): whose role it is

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, raw: dict | None) -> State:
        raw = {k: v for k, v in (raw or {}).items() if k in cls.__dataclass_fields__}
        if "subjects" in raw:
            raw["subjects"] = tuple(raw["subjects"] or ())
        return cls(**raw)

    def describe(self) -> str:
        """One line for the app: what the advisor remembers of the conversation."""
        whose = f"{self.kin}的" if self.kin else "我的"
        parts = [f"{whose}岗位：{self.role}" if self.role else ""]
        talked = dict.fromkeys(x for x in (self.person, self.path, *self.subjects) if x)
        parts.append(f"正在聊：{'、'.join(talked)}" if talked else "")  # one label, not one per item
        return " · ".join(p for p in parts if p)
