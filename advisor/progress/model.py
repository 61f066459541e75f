"""转型跟进 as data: the metrics a followed plan is judged by, one weekly check-in, a followed plan.

What each role's path is judged by is data (``progress:`` in ``knowledge.yaml``); a metric's target is
the guide's number where its phrase gives one, otherwise the person's own. Every input is checked with
a Chinese message that names all problems at once, and nothing is stored until all are fixed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, ClassVar

from advisor.errors import InputError
from advisor.planning.model import KbPart, clean_note, fmt

NOTE_LIMIT = 200
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Metric:
    """A 核心指标: its name, its target, whether lower is better, and the guide's phrase it comes from."""

    name: str
    target: float
    better: str = "up"  # up | down
    phrase: str | None = None  # the guide's words this metric comes from (quoted on the dashboard)
    target_from_guide: bool = False

    def gap(self, value: float) -> float:
        """目标差值: positive when the target is reached with room to spare."""
        return value - self.target if self.better == "up" else self.target - value

    def improved(self, before: float, after: float) -> bool:
        return after > before if self.better == "up" else after < before

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ProgressData(KbPart):
    """The ``progress:`` part of ``knowledge.yaml``."""

    metrics: dict[str, dict[str, tuple[dict, ...]]]
    rules: dict[str, dict[str, str]]
    colours: str
    chat: dict[str, tuple[str, ...]]
    PART: ClassVar = ("progress", "转型跟进", AttributeError)

    @classmethod
    def _read(cls, raw: dict) -> ProgressData:
        return cls(
            metrics={
                str(role): {str(p): tuple(dict(m) for m in ms) for p, ms in (paths or {}).items()}
                for role, paths in raw["metrics"].items()
            },
            rules={str(k): {str(a): str(b) for a, b in v.items()} for k, v in raw["rules"].items()},
            colours=str(raw["colours"]),
            chat={str(k): tuple(str(w) for w in v) for k, v in raw["chat"].items()},
        )

    def metrics_for(self, role: str, path: str, targets: Mapping[str, Any] | None = None) -> list[Metric]:
        """The path's metrics with their targets: the guide's number, or the person's (``targets``)."""
        targets = dict(targets or {})
        out, errors = [], []
        specs = self.metrics.get(role, {}).get(path, ())
        for spec in specs:
            name, phrase = str(spec["name"]), spec.get("phrase")
            mine = targets.pop(name, None)
            if mine is not None:
                value = _positive(mine, f"「{name}」的目标", errors)
                if value is not None:
                    out.append(Metric(name, value, spec.get("better", "up"), phrase))
            elif spec.get("target") is not None:
                out.append(Metric(name, float(spec["target"]), spec.get("better", "up"), phrase, True))
            else:
                errors.append(f"文章没有给「{name}」定目标数字，请写下你的目标（如 {name}=10）")
        for name, value in targets.items():  # a metric the person adds: no phrase of the guide
            number = _positive(value, f"「{name}」的目标", errors)
            if number is not None and clean_note(name):
                out.append(Metric(clean_note(name)[:40], number))
        if not specs and not targets:
            errors.append(
                f"文章没有给{role}中层的「{path}」写可量化的指标，请写下你要看的指标和目标（如 指标名=10）"
            )
        if errors:
            raise InputError("；".join(errors) + "。")
        return out


def _positive(value: Any, name: str, errors: list[str]) -> float | None:
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        errors.append(f"{name}请填数字（收到「{text}」）")
        return None
    if not 0 <= number <= 1e9:
        errors.append(f"{name}请填 0 到 1000000000 之间的数字（收到「{text}」）")
        return None
    return number


@dataclass
class CheckIn:
    """One week's numbers: each metric's value, hours and money spent that week, savings left, a note."""

    day: date
    values: dict[str, float]
    hours: float = 0.0
    spent: float = 0.0
    savings_months: float | None = None
    note: str = ""

    @classmethod
    def parse(cls, raw: Mapping, metrics: list[Metric], today: date | None = None) -> CheckIn:
        """A checked check-in; unknown metric names, bad numbers and dates are all named at once."""
        errors: list[str] = []
        names = [m.name for m in metrics]
        values: dict[str, float] = {}
        for name, value in dict(raw.get("values") or {}).items():
            if name not in names:
                errors.append(f"这个计划没有指标「{name}」，可填：{'、'.join(names)}")
                continue
            number = _positive(value, f"「{name}」", errors)
            if number is not None:
                values[name] = number
        missing = [n for n in names if n not in values]
        if missing and not errors:
            errors.append(f"请填本周的{'、'.join(f'「{n}」' for n in missing)}")
        hours = _optional(raw.get("hours"), "本周投入的小时数", 0, 168, errors) or 0.0
        spent = _optional(raw.get("spent"), "本周花的钱（元）", 0, 1e9, errors) or 0.0
        savings = _optional(raw.get("savings_months"), "存款还够几个月生活费", 0, 240, errors)
        day = _day(raw.get("day"), today or date.today(), errors)
        note = str(raw.get("note") or "").strip()
        if len(note) > NOTE_LIMIT:
            errors.append(f"备注请控制在 {NOTE_LIMIT} 字以内（现在 {len(note)} 字）")
        if errors:
            raise InputError("；".join(errors) + "。")
        return cls(day, values, hours, spent, savings, clean_note(note))

    def to_dict(self) -> dict:
        out = asdict(self)
        out["day"] = self.day.isoformat()
        return out


def _optional(value: Any, name: str, low: float, high: float, errors: list[str]) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        errors.append(f"{name}请填 {fmt(low)} 到 {fmt(high)} 之间的数字（收到「{text}」）")
        return None
    return number


def _day(value: Any, today: date, errors: list[str]) -> date:
    if value is None or str(value).strip() == "":
        return today
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(f"日期请写成 2026-12-01 这样（收到「{str(value).strip()}」）")
        return today


@dataclass
class FollowedPlan:
    """A saved plan: its inputs (the plan is rebuilt from them), metrics, monthly pay, start, check-ins."""

    inputs: dict
    metrics: list[Metric]
    start: date
    monthly_pay: float | None = None
    checkins: list[CheckIn] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "inputs": self.inputs,
            "metrics": [m.to_dict() for m in self.metrics],
            "start": self.start.isoformat(),
            "monthly_pay": self.monthly_pay,
            "checkins": [c.to_dict() for c in self.checkins],
        }
