"""Following a plan: save it with the metrics it will be judged by, check in each week, delete it.

The plan's inputs are checked like a plan's (``PlanInput.parse``) and its metrics chosen for the path the
plan puts first; the token is returned once. Check-ins are checked against the plan's own metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from advisor.errors import InputError
from advisor.planning.model import PlanData, PlanInput
from advisor.progress.model import CheckIn, ProgressData
from advisor.progress.report import context
from advisor.progress.store import ProgressStore

if TYPE_CHECKING:
    from advisor.answering.derived import Derived

PAY_LIMIT = 10_000_000


def named_numbers(items, what: str) -> dict[str, str]:
    """``名称=数字`` items (``--metric``, a line of the 「我的进展」 form) as a mapping; ``what`` leads
    the message. The numbers are checked where they are used (against the plan's metrics)."""
    out = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            msg = f"{what}请写成 名称=数字（收到「{item}」）"
            raise InputError(msg)
        out[name.strip()] = value.strip()
    return out


def monthly_pay(value: Any) -> float | None:
    """The person's monthly pay (what the MVP's budget is a share of), or ``None`` when not given."""
    if value is None or str(value).strip() == "":
        return None
    try:
        pay = float(str(value).strip())
    except ValueError:
        pay = -1.0
    if not 0 < pay <= PAY_LIMIT:
        msg = f"月薪请填大于 0 的数字（元，收到「{str(value).strip()}」）。"
        raise InputError(msg)
    return pay


def save_plan(
    derived: Derived,
    store: ProgressStore,
    inputs: Mapping | PlanInput,
    targets: Mapping[str, Any] | None = None,
    pay: Any = None,
    start: date | None = None,
) -> str:
    """Store the plan for following; returns its token. Nothing is stored when any input is wrong."""
    person = PlanInput.parse(inputs, derived.knowledge, PlanData.from_kb(derived.knowledge))
    ctx = context(derived, person.to_dict())
    data = ProgressData.from_kb(derived.knowledge)
    metrics = data.metrics_for(person.role, ctx.top.name, targets)
    return store.save(person.to_dict(), metrics, start or date.today(), monthly_pay(pay))


def check_in(store: ProgressStore, token: str, raw: Mapping, today: date | None = None) -> CheckIn:
    """Record one week for the plan ``token`` names (``InputError`` for a wrong token or bad numbers)."""
    plan = store.load(token)
    today = today or date.today()
    checkin = CheckIn.parse(raw, plan.metrics, today)
    if checkin.day > today:
        msg = f"打卡日期不能晚于今天（{today.isoformat()}）。"
        raise InputError(msg)
    if checkin.day < plan.start:
        msg = f"打卡日期不能早于计划开始跟进的日期（{plan.start.isoformat()}）。"
        raise InputError(msg)
    store.check_in(token, checkin)
    return checkin
