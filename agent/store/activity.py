"""Automation and review load over time, computed in SQL over the store: the numbers a business
owner asks for (how much runs without a person, how much people still do, how far behind they
are, how often they correct the machine), per day or week.

A handful of grouped queries per report, whatever the number of documents: decisions by
period and action, documents received by period, reviews opened by period, reviews decided by
period, action and QA flag (with summed and longest wait), the backlog when the report starts.
The backlog at the end of each period follows from those (opened minus decided, cumulated).

- auto-approved share: decisions `auto_approved` / all final decisions of the period;
- reviewed share: decisions a person made (approve, reject, relabel, edit) / all decisions;
- corrections per 100 review decisions: (relabel + edit) / person decisions x 100;
- review backlog: pending reviews (QA second looks included: they wait in the same queue) at
  the end of the period; review wait: request to decision, of reviews decided in the period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import func, literal_column, or_, select

from agent.store.db import Database
from agent.store.models import Decision, Document, Review

Period = Literal["day", "week"]
PERSON = ("approve", "reject", "relabel", "edit")
CORRECTIONS = ("relabel", "edit")


class Counts(BaseModel):
    """One period's (or a window's) numbers."""

    start: date | None = None
    received: int = 0
    decided: int = 0
    auto_approved: int = 0
    reviewed: int = 0
    rejected: int = 0
    corrections: int = 0
    reviews_opened: int = 0
    reviews_decided: int = 0
    wait_seconds_sum: float = 0.0
    wait_seconds_max: float = 0.0
    qa_decided: int = 0
    qa_disagreed: int = 0
    backlog_end: int | None = None

    @property
    def auto_share(self) -> float | None:
        return self.auto_approved / self.decided if self.decided else None

    @property
    def reviewed_share(self) -> float | None:
        return self.reviewed / self.decided if self.decided else None

    @property
    def corrections_per_100(self) -> float | None:
        return 100.0 * self.corrections / self.reviewed if self.reviewed else None

    @property
    def wait_mean_hours(self) -> float | None:
        return self.wait_seconds_sum / self.reviews_decided / 3600 \
            if self.reviews_decided else None

    def derived(self) -> dict[str, float | None]:
        return {"auto_share": self.auto_share, "reviewed_share": self.reviewed_share,
                "corrections_per_100": self.corrections_per_100,
                "wait_mean_hours": self.wait_mean_hours}


class Activity(BaseModel):
    since: datetime
    until: datetime
    period: Period
    periods: list[Counts]
    totals: Counts
    backlog_now: int
    oldest_pending_hours: float | None


def _bucket(db: Database, column: Any, period: Period | None) -> Any:
    """The period a timestamp falls in, as 'YYYY-MM-DD' (weeks start on Monday)."""
    if period is None:
        return None
    if db.engine.dialect.name == "postgresql":
        # literals, not parameters: PostgreSQL must see the same expression in GROUP BY
        trunc = func.date_trunc(literal_column(f"'{period}'"),
                                func.timezone(literal_column("'UTC'"), column))
        return func.to_char(trunc, literal_column("'YYYY-MM-DD'"))
    if period == "day":
        return func.strftime("%Y-%m-%d", column)
    return func.date(column, "weekday 0", "-6 days")


def _wait_seconds(db: Database) -> Any:
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", Review.decided_at - Review.created_at)
    return (func.julianday(Review.decided_at) - func.julianday(Review.created_at)) * 86400.0


def _grouped(db: Database, since: datetime, until: datetime,
             period: Period | None) -> dict[str | None, Counts]:
    """Counts per period key (None: one window), from five grouped queries."""
    out: dict[str | None, Counts] = defaultdict(Counts)

    def key(column: Any) -> list[Any]:
        bucket = _bucket(db, column, period)
        return [] if bucket is None else [bucket]

    def between(column: Any) -> Any:
        return (column >= since) & (column < until)

    qa = func.coalesce(Review.payload["qa"].as_boolean(), False)
    action = Review.decision["action"].as_string()
    with db.session() as session:
        rows = session.execute(select(*key(Decision.created_at), Decision.action, func.count())
                               .where(between(Decision.created_at))
                               .group_by(*key(Decision.created_at), Decision.action)).all()
        for *k, act, count in rows:
            c = out[k[0] if k else None]
            c.decided += count
            c.auto_approved += count if act == "auto_approved" else 0
            c.reviewed += count if act in PERSON else 0
            c.rejected += count if act == "reject" else 0
            c.corrections += count if act in CORRECTIONS else 0
        for *k, count in session.execute(
                select(*key(Document.created_at), func.count())
                .where(between(Document.created_at)).group_by(*key(Document.created_at))):
            out[k[0] if k else None].received += count
        for *k, count in session.execute(
                select(*key(Review.created_at), func.count())
                .where(between(Review.created_at)).group_by(*key(Review.created_at))):
            out[k[0] if k else None].reviews_opened += count
        for *k, act, is_qa, count, wait_sum, wait_max in session.execute(
                select(*key(Review.decided_at), action, qa, func.count(),
                       func.sum(_wait_seconds(db)), func.max(_wait_seconds(db)))
                .where(Review.status == "decided", between(Review.decided_at))
                .group_by(*key(Review.decided_at), action, qa)):
            c = out[k[0] if k else None]
            c.reviews_decided += count
            c.wait_seconds_sum += float(wait_sum or 0.0)
            c.wait_seconds_max = max(c.wait_seconds_max, float(wait_max or 0.0))
            if is_qa:
                c.qa_decided += count
                c.qa_disagreed += count if act != "approve" else 0
    return out


def backlog_at(db: Database, moment: datetime) -> int:
    """Reviews requested before `moment` and not decided by then."""
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Review).where(
            Review.created_at < moment,
            or_(Review.decided_at.is_(None), Review.decided_at >= moment))) or 0


def window(db: Database, since: datetime, until: datetime | None = None) -> Counts:
    """The numbers over one window (the /metrics gauges)."""
    return _grouped(db, since, until or datetime.now(UTC), None).get(None) or Counts()


def _starts(since: datetime, until: datetime, period: Period) -> list[date]:
    first = since.date() - timedelta(days=since.weekday() if period == "week" else 0)
    step = timedelta(days=7 if period == "week" else 1)
    days, day = [], first
    while day <= until.date():
        days.append(day)
        day += step
    return days


def activity(db: Database, since: datetime, until: datetime | None = None,
             period: Period = "day") -> Activity:
    """Per period from `since` to `until` (now), with the backlog at the end of each."""
    until = until or datetime.now(UTC)
    grouped = _grouped(db, since, until, period)
    backlog = backlog_at(db, since)
    periods, totals = [], Counts(backlog_end=None)
    for start in _starts(since, until, period):
        c = grouped.get(start.isoformat()) or Counts()
        c.start = start
        backlog += c.reviews_opened - c.reviews_decided
        c.backlog_end = backlog
        periods.append(c)
        for name in ("received", "decided", "auto_approved", "reviewed", "rejected",
                     "corrections", "reviews_opened", "reviews_decided", "wait_seconds_sum",
                     "qa_decided", "qa_disagreed"):
            setattr(totals, name, getattr(totals, name) + getattr(c, name))
        totals.wait_seconds_max = max(totals.wait_seconds_max, c.wait_seconds_max)
    totals.backlog_end = backlog
    with db.session() as session:
        pending, oldest = session.execute(select(func.count(), func.min(Review.created_at))
                                          .where(Review.status == "pending")).one()
    age = (datetime.now(UTC) - oldest).total_seconds() / 3600 if oldest else None
    return Activity(since=since, until=until, period=period, periods=periods, totals=totals,
                    backlog_now=pending or 0, oldest_pending_hours=age)
