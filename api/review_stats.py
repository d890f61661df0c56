"""Reviewer analytics from the reviews table: decisions per reviewer, time per decision (review
requested → decided), how often the suggestion was confirmed unchanged (an approval), and the
QA second look (how often a reviewer disagreed with an auto-approval). One grouped query: the
cost does not grow with the number of reviews sent to the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from sqlalchemy import func, select

from agent.store.db import Database
from agent.store.models import Review


@dataclass
class ReviewerStats:
    reviewer: str
    decisions: int = 0
    seconds: float = 0.0  # summed over decisions: review requested → decided
    by_action: dict[str, int] = field(default_factory=dict)
    qa_decisions: int = 0
    qa_disagreed: int = 0

    @property
    def unchanged(self) -> int:
        return self.by_action.get("approve", 0)

    @property
    def unchanged_share(self) -> float:
        return self.unchanged / self.decisions if self.decisions else 0.0

    @property
    def mean_seconds(self) -> float:
        return self.seconds / self.decisions if self.decisions else 0.0


@dataclass
class QaStats:
    pending: int = 0
    agreed: int = 0
    disagreed: int = 0

    @property
    def disagreement_share(self) -> float:
        decided = self.agreed + self.disagreed
        return self.disagreed / decided if decided else 0.0


def _seconds(db: Database):  # noqa: ANN202 - a SQL expression
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", Review.decided_at - Review.created_at)
    return (func.julianday(Review.decided_at) - func.julianday(Review.created_at)) * 86400.0


def read(db: Database) -> tuple[list[ReviewerStats], QaStats]:
    action = Review.decision["action"].as_string().label("action")
    qa = func.coalesce(Review.payload["qa"].as_boolean(), False).label("qa")
    with db.session() as session:
        rows = session.execute(
            select(Review.reviewer, action, qa, func.count(), func.sum(_seconds(db)))
            .where(Review.status == "decided").group_by(Review.reviewer, action, qa)).all()
        qa_pending = session.scalar(select(func.count()).where(
            Review.status == "pending", Review.payload["qa"].as_boolean().is_(True))) or 0
    people: dict[str, ReviewerStats] = {}
    totals = QaStats(pending=qa_pending)
    for reviewer, act, is_qa, count, seconds in rows:
        who = people.setdefault(str(reviewer), ReviewerStats(str(reviewer)))
        who.decisions += count
        who.seconds += float(seconds or 0.0)
        who.by_action[str(act)] = who.by_action.get(str(act), 0) + count
        if is_qa:
            who.qa_decisions += count
            if act == "approve":
                totals.agreed += count
            else:
                who.qa_disagreed += count
                totals.disagreed += count
    return sorted(people.values(), key=lambda s: s.reviewer), totals


def metric_families(db: Database) -> Iterator:
    people, qa = read(db)
    seconds = SummaryMetricFamily(
        "papertrail_reviewer_decision_seconds",
        "Decisions by reviewer and the time from review request to each (sum/count = mean).",
        labels=["reviewer"])
    unchanged = CounterMetricFamily(
        "papertrail_reviewer_unchanged", "Decisions confirming the suggestion unchanged "
        "(approve), by reviewer.", labels=["reviewer"])
    disagreed = CounterMetricFamily(
        "papertrail_reviewer_qa_disagreements", "QA second looks where the reviewer did not "
        "approve the auto-approval unchanged, by reviewer.", labels=["reviewer"])
    for who in people:
        seconds.add_metric([who.reviewer], count_value=who.decisions, sum_value=who.seconds)
        unchanged.add_metric([who.reviewer], who.unchanged)
        disagreed.add_metric([who.reviewer], who.qa_disagreed)
    yield from (seconds, unchanged, disagreed)
    items = GaugeMetricFamily("papertrail_qa_reviews", "QA second-look items by state.",
                              labels=["state"])
    for state, count in (("pending", qa.pending), ("agreed", qa.agreed),
                         ("disagreed", qa.disagreed)):
        items.add_metric([state], count)
    yield items
    yield GaugeMetricFamily("papertrail_qa_disagreement_ratio", "Share of decided QA items "
                            "where the reviewer disagreed with the machine.",
                            value=qa.disagreement_share)
