"""Followed plans and their check-ins in the advisor's database (``advisor/database.py``).

A plan is found by its token, which only its owner has: 192 random bits, given once, and stored only as
its SHA-256, so the database alone cannot open anyone's plan. A wrong, malformed or deleted token gets
the same Chinese message, which says nothing about whether such a plan ever existed. Nothing the person
writes is logged.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
)

from advisor.config import Settings
from advisor.database import Database
from advisor.errors import InputError
from advisor.progress.model import CheckIn, FollowedPlan, Metric

NOT_FOUND = "找不到这个跟进计划：链接或口令不对，或者计划已经删除。请检查后再试，或重新保存一个计划。"
TOKEN_BYTES = 24  # 192 bits

METADATA = MetaData()
PLANS = Table(
    "progress_plans",
    METADATA,
    Column("token_hash", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("start", Date, nullable=False),
    Column("inputs", JSON, nullable=False),  # the plan's inputs (PlanInput.to_dict())
    Column("metrics", JSON, nullable=False),  # [Metric.to_dict()]
    Column("monthly_pay", Float, nullable=True),
)
CHECKINS = Table(
    "progress_checkins",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), ForeignKey("progress_plans.token_hash"), nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("values", JSON, nullable=False),  # {metric name: value}
    Column("hours", Float, nullable=False),
    Column("spent", Float, nullable=False),
    Column("savings_months", Float, nullable=True),
    Column("note", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class ProgressStore:
    """Save, read, check in on and delete followed plans."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)

    @classmethod
    def from_settings(cls, settings: Settings) -> ProgressStore:
        return cls(settings.database)

    def _ready(self):
        self.db.ensure(METADATA)
        return self.db.engine()

    def save(self, inputs: dict, metrics: list[Metric], start: date, monthly_pay: float | None) -> str:
        """Store the plan; returns its token (shown once: only its hash is kept)."""
        token = new_token()
        row = {
            "token_hash": token_hash(token),
            "created_at": datetime.now(UTC),
            "start": start,
            "inputs": dict(inputs),
            "metrics": [m.to_dict() for m in metrics],
            "monthly_pay": monthly_pay,
        }
        with self._ready().begin() as conn:
            conn.execute(PLANS.insert(), [row])
        return token

    def load(self, token: str) -> FollowedPlan:
        """The plan and its check-ins, oldest first; ``InputError(NOT_FOUND)`` for any unknown token."""
        key = token_hash(token or "")
        with self._ready().connect() as conn:
            row = conn.execute(select(PLANS).where(PLANS.c.token_hash == key)).first()
            if row is None:
                raise InputError(NOT_FOUND)
            rows = conn.execute(
                select(CHECKINS).where(CHECKINS.c.token_hash == key).order_by(CHECKINS.c.day, CHECKINS.c.id)
            ).all()
        plan = row._mapping
        return FollowedPlan(
            inputs=dict(plan["inputs"]),
            metrics=[Metric(**m) for m in plan["metrics"]],
            start=plan["start"],
            monthly_pay=plan["monthly_pay"],
            checkins=[_checkin(r._mapping) for r in rows],
        )

    def check_in(self, token: str, checkin: CheckIn) -> None:
        """Record a week; a second check-in on the same day replaces that day's (a correction)."""
        key = token_hash(token or "")
        with self._ready().begin() as conn:
            if conn.execute(select(PLANS.c.token_hash).where(PLANS.c.token_hash == key)).first() is None:
                raise InputError(NOT_FOUND)
            conn.execute(delete(CHECKINS).where(CHECKINS.c.token_hash == key, CHECKINS.c.day == checkin.day))
            row = {
                **checkin.to_dict(),
                "day": checkin.day,
                "token_hash": key,
                "created_at": datetime.now(UTC),
            }
            conn.execute(CHECKINS.insert(), [row])

    def delete(self, token: str) -> int:
        """Remove the plan and every check-in; how many rows went (``InputError`` if there was none)."""
        key = token_hash(token or "")
        with self._ready().begin() as conn:
            gone = conn.execute(delete(CHECKINS).where(CHECKINS.c.token_hash == key)).rowcount
            plans = conn.execute(delete(PLANS).where(PLANS.c.token_hash == key)).rowcount
        if not plans:
            raise InputError(NOT_FOUND)
        return gone + plans

    def rows(self) -> int:
        """How many rows both tables hold (for tests and ``advisor progress --count``)."""
        from sqlalchemy import func

        with self._ready().connect() as conn:
            return sum(
                conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (PLANS, CHECKINS)
            )

    def close(self) -> None:
        self.db.close()


def _checkin(row) -> CheckIn:
    return CheckIn(
        day=row["day"],
        values={str(k): float(v) for k, v in row["values"].items()},
        hours=row["hours"],
        spent=row["spent"],
        savings_months=row["savings_months"],
        note=row["note"],
    )
