"""Live precision of auto-approvals: what people said when they looked at documents the
machine approved on its own (QA second looks, and any other review of an auto-approved
document), per bundle, with a Clopper–Pearson interval.

The certificate promises "with probability >= 1 - delta, what auto-approves is >= target
precision right". When the interval's upper bound at that level falls below the target, the
promise no longer holds on today's documents: that is drift too (agent/drift.py opens an
`auto_precision` event for it).

A verdict counts as wrong when the reviewer relabelled the document or rejected it (a person
would not have approved it); approved unchanged, or approved with corrected fields (`edit`,
the label stood), counts as right. Edits are reported beside, not counted against the label
promise. The bundle is the one whose `classify` record decided the document (its newest).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from agent.store.db import Database
from agent.store.models import Decision, LineageRecord, Review
from classifiers.certify import clopper_pearson_interval

WRONG = ("relabel", "reject")
CHUNK = 500  # doc ids per IN (...) query
SCAN_PAGES = 10  # pages of `window` reviews read looking for one bundle's verdicts


class Promise(BaseModel):
    """What the bundle's certified gate promises (classifiers/gate.py AutoApprovalGate)."""

    target_precision: float
    delta: float


class AutoPrecision(BaseModel):
    bundle_id: str
    n: int = Field(description="Reviewed auto-approvals of the bundle (most recent `window`).")
    correct: int
    relabeled: int
    rejected: int
    edited: int = Field(description="Approved with corrected fields: right label, counted "
                        "as correct.")
    qa: int = Field(description="Of n, QA second looks.")
    precision: float | None
    lower: float | None
    upper: float | None
    level: float = Field(description="Two-sided Clopper–Pearson level (1 - the bundle's delta).")
    promise: float | None = Field(description="The bundle's certified target precision (None: "
                                  "no certified gate).")
    below_promise: bool = Field(description="The upper bound is below the promise: drifted.")
    window: int


def promise_of(gate: Any) -> Promise | None:
    """The promise of a bundle's gate (classifiers.gate.AutoApprovalGate), if it certified one."""
    if gate is None or not getattr(gate, "certified", False):
        return None
    return Promise(target_precision=gate.target_precision, delta=gate.delta)


def reviewed_auto_approvals(db: Database, limit: int,
                            offset: int = 0) -> list[tuple[str, str, bool]]:
    """(doc_id, verdict action, is QA) of decided reviews of auto-approved documents, newest
    first (only the JSON fields needed are read, in SQL)."""
    action = Review.decision["action"].as_string()
    qa = Review.payload["qa"].as_boolean()
    with db.session() as session:
        rows = session.execute(
            select(Review.doc_id, action, qa)
            .join(Decision, Decision.doc_id == Review.doc_id)
            .where(Review.status == "decided", Decision.action == "auto_approved")
            .order_by(Review.decided_at.desc()).offset(offset).limit(limit)).all()
    return [(doc_id, str(act), bool(is_qa)) for doc_id, act, is_qa in rows]


def bundles_of(db: Database, doc_ids: list[str]) -> dict[str, str | None]:
    """The bundle of each document's newest classify record."""
    found: dict[str, str | None] = {}
    bundle = LineageRecord.payload[("classifier", "bundle_id")].as_string()
    with db.session() as session:
        for start in range(0, len(doc_ids), CHUNK):
            rows = session.execute(
                select(LineageRecord.doc_id, bundle)
                .where(LineageRecord.node == "classify",
                       LineageRecord.doc_id.in_(doc_ids[start:start + CHUNK]))
                .order_by(LineageRecord.id)).all()
            for doc_id, bundle_id in rows:  # later records overwrite earlier ones
                found[doc_id] = bundle_id
    return found


def verdicts(db: Database, bundle_id: str, window: int) -> list[tuple[str, bool]]:
    """(action, is QA) of the bundle's newest `window` verdicts, reading pages of `window`
    reviews (at most SCAN_PAGES) past other bundles' documents."""
    mine: list[tuple[str, bool]] = []
    for page in range(SCAN_PAGES):
        rows = reviewed_auto_approvals(db, window, page * window)
        owner = bundles_of(db, [doc_id for doc_id, _, _ in rows])
        mine += [(act, qa) for doc_id, act, qa in rows if owner.get(doc_id) == bundle_id]
        if len(mine) >= window or len(rows) < window:
            break
    return mine[:window]


def auto_precision(db: Database, bundle_id: str, promise: Promise | None,
                   window: int = 500) -> AutoPrecision:
    """The bundle's live precision of auto-approvals over its `window` newest verdicts."""
    mine = verdicts(db, bundle_id, window)
    n = len(mine)
    relabeled = sum(act == "relabel" for act, _ in mine)
    rejected = sum(act == "reject" for act, _ in mine)
    correct = n - relabeled - rejected
    level = 1 - (promise.delta if promise else 0.05)
    interval = clopper_pearson_interval(correct, n, level)
    lower, upper = (round(interval[0], 4), round(interval[1], 4)) if interval else (None, None)
    target = promise.target_precision if promise else None
    return AutoPrecision(
        bundle_id=bundle_id, n=n, correct=correct, relabeled=relabeled, rejected=rejected,
        edited=sum(act == "edit" for act, _ in mine), qa=sum(qa for _, qa in mine),
        precision=round(correct / n, 4) if n else None, lower=lower, upper=upper,
        level=level, promise=target,
        below_promise=target is not None and upper is not None and upper < target,
        window=window)
