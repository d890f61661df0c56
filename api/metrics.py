"""GET /metrics: Prometheus metrics read from the shared database at scrape time.

Work runs in many worker processes (and machines), so counts come from where they all write:
documents, decisions and reviews are counted by query; per-node latencies, classifier
fallbacks and LLM rejections come from lineage records, read incrementally (a node's latency
is the time between its record and the record before it in the same document's chain).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from agent.store.models import Decision, Document, LineageRecord, Review, utcnow
from api import activity_metrics, drift_status, review_stats
from api.app_resources import AppResources
from api.ui.claims import ReviewClaim
from api.worker import queue_depth

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, float("inf"))
WAIT_BUCKETS = (60, 300, 900, 3600, 4 * 3600, 86400, float("inf"))
BATCH = 5000


class _Histogram:
    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets, self.counts, self.total = buckets, [0] * len(buckets), 0.0

    def observe(self, value: float) -> None:
        self.total += value
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1

    def exposition(self) -> list[tuple[str, float]]:
        return [("+Inf" if b == float("inf") else str(b), c)
                for b, c in zip(self.buckets, self.counts, strict=True)]


class PipelineCollector(Collector):
    def __init__(self, state: AppResources) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._cursor = 0
        self._nodes: dict[str, _Histogram] = defaultdict(lambda: _Histogram(BUCKETS))
        self._review_wait = _Histogram(WAIT_BUCKETS)
        self._fallbacks = 0
        self._llm_rejections = 0
        self._llm_calls = 0
        self._recoveries = 0
        self._failures: dict[str, int] = defaultdict(int)
        self._reviewer_actions: dict[tuple[str, str], int] = defaultdict(int)
        self._reviewer_wait: dict[str, _Histogram] = defaultdict(lambda: _Histogram(WAIT_BUCKETS))

    def _read_lineage(self) -> None:
        prev = aliased(LineageRecord)
        with self.state.store.db.session() as session:
            while True:
                rows = session.execute(
                    select(LineageRecord.id, LineageRecord.node, LineageRecord.created_at,
                           LineageRecord.payload, prev.created_at)
                    .outerjoin(prev, (prev.doc_id == LineageRecord.doc_id)
                               & (prev.seq == LineageRecord.seq - 1))
                    .where(LineageRecord.id > self._cursor)
                    .order_by(LineageRecord.id).limit(BATCH)).all()
                for rid, node, created, payload, before in rows:
                    self._cursor = rid
                    self._count(node, payload or {})
                    if before is None or node in ("error", "recovery"):
                        continue
                    seconds = max(0.0, (datetime.fromisoformat(created)
                                        - datetime.fromisoformat(before)).total_seconds())
                    target = self._review_wait if node == "human_review" else self._nodes[node]
                    target.observe(seconds)
                    if node == "human_review":
                        self._reviewer_wait[str((payload or {}).get("reviewer"))].observe(seconds)
                if len(rows) < BATCH:
                    return

    def _count(self, node: str, payload: dict) -> None:
        if node == "recovery":
            self._recoveries += 1
        if node == "human_review":
            key = (str(payload.get("reviewer")), str(payload.get("action")))
            self._reviewer_actions[key] += 1
        if node == "error":
            self._failures[payload.get("code") or "unknown"] += 1
        if node == "classify" and (payload.get("prediction") or {}).get("fallback_reason"):
            self._fallbacks += 1
        adjudication = (payload.get("adjudication") or {}) if node == "adjudicate" else {}
        if adjudication.get("status") in ("grounded", "ungrounded"):  # an LLM was asked
            self._llm_calls += 1
            if not adjudication.get("trusted"):
                self._llm_rejections += 1

    def _reviewer_metrics(self) -> Iterator:
        """Per reviewer: decisions by action (relabel and edit are corrections) and the time
        from review request to their decision. Reviewers are accounts, API key owners and
        Slack identities: a bounded set."""
        actions = CounterMetricFamily("papertrail_reviewer_decisions",
                                      "Review decisions by reviewer and action.",
                                      labels=["reviewer", "action"])
        for (reviewer, action), count in sorted(self._reviewer_actions.items()):
            actions.add_metric([reviewer, action], count)
        yield actions
        waits = HistogramMetricFamily("papertrail_reviewer_wait_seconds",
                                      "Time from review request to decision, by who decided.",
                                      labels=["reviewer"])
        for reviewer, hist in sorted(self._reviewer_wait.items()):
            waits.add_metric([reviewer], hist.exposition(), sum_value=hist.total)
        yield waits

    def collect(self) -> Iterator:
        db = self.state.store.db
        with self._lock:
            self._read_lineage()
            latency = HistogramMetricFamily(
                "papertrail_node_latency_seconds", "Time each graph node took.", labels=["node"])
            for node, hist in sorted(self._nodes.items()):
                latency.add_metric([node], hist.exposition(), sum_value=hist.total)
            wait = HistogramMetricFamily(
                "papertrail_review_wait_seconds", "Time from review request to decision.")
            wait.add_metric([], self._review_wait.exposition(), sum_value=self._review_wait.total)
            yield latency
            yield wait
            yield from self._reviewer_metrics()
            yield CounterMetricFamily("papertrail_classifier_fallbacks",
                                      "Documents the baseline classified instead of BERT.",
                                      value=self._fallbacks)
            yield CounterMetricFamily("papertrail_llm_adjudications",
                                      "LLM adjudications run.", value=self._llm_calls)
            yield CounterMetricFamily("papertrail_llm_rejections",
                                      "LLM answers not trusted (ungrounded, off-label, failed).",
                                      value=self._llm_rejections)
            yield CounterMetricFamily("papertrail_recoveries",
                                      "Stalled documents queued again (crash recovery).",
                                      value=self._recoveries)
            failures = CounterMetricFamily("papertrail_failures",
                                           "Documents marked failed, by error code.",
                                           labels=["code"])
            for code, count in sorted(self._failures.items()):
                failures.add_metric([code], count)
            yield failures
        with db.session() as session:
            by_status = session.execute(select(Document.status, func.count())
                                        .group_by(Document.status)).all()
            by_outcome = session.execute(select(Decision.band, Decision.action, func.count())
                                         .group_by(Decision.band, Decision.action)).all()
            pending, oldest = session.execute(
                select(func.count(), func.min(Review.created_at))
                .where(Review.status == "pending")).one()
            claimed = session.scalar(select(func.count()).select_from(ReviewClaim)
                                     .where(ReviewClaim.expires_at > utcnow())) or 0
        documents = GaugeMetricFamily("papertrail_documents", "Documents by status.",
                                      labels=["status"])
        for status, count in by_status:
            documents.add_metric([status], count)
        yield documents
        decisions = GaugeMetricFamily("papertrail_decisions",
                                      "Finalized documents by band and outcome.",
                                      labels=["band", "outcome"])
        for band, action, count in by_outcome:
            decisions.add_metric([band or "none", action], count)
        yield decisions
        yield GaugeMetricFamily("papertrail_reviews_pending", "Reviews waiting for a person.",
                                value=pending)
        yield from review_stats.metric_families(db)
        yield from activity_metrics.metric_families(db)
        yield GaugeMetricFamily("papertrail_reviews_claimed",
                                "Pending reviews a reviewer has open in the web app now.",
                                value=claimed)
        age = 0.0
        if oldest is not None:
            age = (datetime.now(UTC) - oldest).total_seconds()
        yield GaugeMetricFamily("papertrail_review_oldest_age_seconds",
                                "Age of the oldest pending review (0 when none).", value=age)
        depth = queue_depth(self.state.celery)
        yield GaugeMetricFamily("papertrail_queue_depth",
                                "Tasks waiting in the broker queue (-1: broker unreachable).",
                                value=-1 if depth is None else depth)
        yield from self._queue()
        yield from drift_status.metric_families(self.state)

    def _queue(self) -> Iterator:
        """The document queue as the database sees it (api/queue_status.py)."""
        queue = self.state.queue
        waiting, oldest = queue.waiting()
        yield GaugeMetricFamily("papertrail_documents_queued",
                                "Documents not yet processed (received or processing); "
                                "uploads past PAPERTRAIL_API_MAX_QUEUED get 429.",
                                value=queue.queued())
        yield GaugeMetricFamily("papertrail_documents_waiting",
                                "Documents waiting for a worker (received).", value=waiting)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily("papertrail_queue_oldest_age_seconds",
                                "How long the longest-waiting document has waited for a worker "
                                "(0 when none waits).", value=max(0.0, age))
        window = self.state.settings.api.rate_window_seconds
        yield GaugeMetricFamily("papertrail_processing_rate_per_minute",
                                f"Documents whose processing ended per minute, over the last "
                                f"{window:g} s (PAPERTRAIL_API_RATE_WINDOW_SECONDS).",
                                value=round(queue.rate() * 60, 2))


def registry_for(state: AppResources) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PipelineCollector(state))
    return registry
