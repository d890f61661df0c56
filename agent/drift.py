"""Live drift checks: the active bundle's recent documents against its reference profile.

API and workers are separate processes (and machines), so the window is read from where they
all write: the `classify` lineage records, which carry the calibrated prediction, the OCR
confidence, the text length and the gate threshold. Each process keeps a verdict for
`cache_seconds`. A drifted signal opens a `DriftEvent` row (its `since`); the row closes when
the signal is back under the threshold. The live precision of auto-approvals
(agent/drift_precision.py) is one more signal, `auto_precision`: drifted while its upper bound
is below the bundle's certified promise. With PAPERTRAIL_DRIFT_ACTION=suspend an open,
unacknowledged event sends every document to a person. Each event is alerted once
(agent/drift_alerts.py) through the listeners the faces register.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select

from agent.drift_alerts import Listener, describe, send_pending
from agent.drift_precision import AutoPrecision, Promise, auto_precision
from agent.drift_settings import DriftSettings
from agent.store.db import Database
from agent.store.models import DriftEvent, LineageRecord, utcnow
from classifiers.drift import SIGNALS, ReferenceProfile, histogram_psi, like

Status = Literal["no_bundle", "no_reference_profile", "too_few_documents", "ok", "drifted"]


class SignalDrift(BaseModel):
    signal: str
    psi: float
    threshold: float
    window: int
    drifted: bool
    since: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None


class PrecisionDrift(AutoPrecision):
    since: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None


class DriftReport(BaseModel):
    status: Status
    detail: str
    bundle_id: str | None
    action: Literal["alert", "suspend"]
    window: int
    min_documents: int
    threshold: float
    gate_pass_share: dict[str, float | None]
    signals: list[SignalDrift]
    precision: PrecisionDrift | None = None
    suspended: bool
    suspension_reason: str | None
    checked_at: datetime


SCAN_WINDOWS = 10
"""Classify records read looking for the bundle's documents: at most this many windows' worth
(other bundles' records, and re-runs of one document, are skipped, not counted)."""


def recent_values(db: Database, bundle_id: str, window: int) -> dict[str, list[Any]]:
    """Per signal, the values of the last `window` documents the bundle classified (the newest
    classify record of each document; older bundles' records are skipped)."""
    values: dict[str, list[Any]] = {name: [] for name in (*SIGNALS, "passed")}
    seen: set[str] = set()
    with db.session() as session:
        for page in range(SCAN_WINDOWS):
            rows = session.execute(
                select(LineageRecord.doc_id, LineageRecord.payload)
                .where(LineageRecord.node == "classify")
                .order_by(LineageRecord.id.desc()).offset(page * window).limit(window)).all()
            for doc_id, payload in rows:
                payload = payload or {}
                if doc_id in seen or (payload.get("classifier") or {}).get(
                        "bundle_id") != bundle_id:
                    continue
                seen.add(doc_id)
                _add(values, payload)
                if len(values["confidence"]) >= window:
                    return values
            if len(rows) < window:
                break
    return values


def _add(values: dict[str, list[Any]], payload: dict[str, Any]) -> None:
    prediction = payload.get("prediction") or {}
    probabilities = prediction.get("probabilities") or {}
    if not probabilities:
        return
    confidence = max(probabilities.values())
    ocr = (payload.get("signals") or {}).get("ocr_confidence")
    values["confidence"].append(confidence)
    values["label"].append(prediction.get("label"))
    values["ocr_confidence"].append(100.0 if ocr is None else ocr)  # as in training
    values["text_chars"].append(payload.get("text_chars"))  # None in older records
    threshold = payload.get("threshold")
    values["passed"].append(threshold is not None and confidence >= threshold)


class DriftMonitor:
    """Drift verdicts for one database, cached per process for `cache_seconds`."""

    def __init__(self, db: Database, options: DriftSettings) -> None:
        self.db = db
        self.options = options
        self._lock = threading.Lock()
        self._cached: tuple[float, str | None, DriftReport] | None = None
        self.listeners: list[Listener] = []
        """Called once per newly opened drift event (agent/drift_alerts.py)."""

    def report(self, bundle_id: str | None, profile: ReferenceProfile | None,
               fresh: bool = False, promise: Promise | None = None) -> DriftReport:
        """`promise`: the bundle's certified gate (target precision, delta), which the live
        precision of auto-approvals is held to; None: precision is reported, never flagged."""
        with self._lock:
            cached = self._cached
            if not fresh and cached and cached[1] == bundle_id and \
                    time.monotonic() - cached[0] < self.options.cache_seconds:
                return cached[2]
            report = self._check(bundle_id, profile, promise)
            self._cached = (time.monotonic(), bundle_id, report)
        if bundle_id is not None:  # after a check (not a cached verdict): events may be new
            send_pending(self.db, bundle_id, self.options.action, self.listeners)
        return report

    def suspension(self, bundle_id: str | None, profile: ReferenceProfile | None,
                   promise: Promise | None = None) -> str | None:
        """Why auto-approval is suspended now, or None."""
        if self.options.action != "suspend":
            return None
        return self.report(bundle_id, profile, promise=promise).suspension_reason

    def acknowledge(self, bundle_id: str, who: str) -> int:
        """Acknowledge the bundle's open drift events; returns how many."""
        with self.db.session() as session:
            events = session.scalars(select(DriftEvent).where(
                DriftEvent.bundle_id == bundle_id, DriftEvent.cleared_at.is_(None),
                DriftEvent.acknowledged_at.is_(None))).all()
            for event in events:
                event.acknowledged_by, event.acknowledged_at = who, utcnow()
        with self._lock:
            self._cached = None
        return len(events)

    def _check(self, bundle_id: str | None, profile: ReferenceProfile | None,
               promise: Promise | None) -> DriftReport:
        o = self.options
        base: dict[str, Any] = dict(bundle_id=bundle_id, action=o.action, window=0,
                                    min_documents=o.min_documents, threshold=o.psi_threshold,
                                    gate_pass_share={"reference": None, "live": None},
                                    signals=[], suspended=False, suspension_reason=None,
                                    checked_at=utcnow())
        if bundle_id is None:
            return DriftReport(status="no_bundle", detail="no active bundle", **base)
        precision = auto_precision(self.db, bundle_id, promise, o.precision_window)
        judged: dict[str, tuple[float, float, bool]] = {}
        if precision.promise is not None and precision.upper is not None:
            judged["auto_precision"] = (precision.upper, precision.promise,
                                        precision.below_promise)
        measured = {}
        if profile is not None:
            values = recent_values(self.db, bundle_id, o.window)
            n = len(values["confidence"])
            passed = values["passed"]
            base |= dict(window=n, gate_pass_share={
                "reference": profile.gate_pass_share,
                "live": round(sum(passed) / len(passed), 4) if passed else None})
            for name, reference in profile.signals.items():
                known = [v for v in values.get(name, []) if v is not None]
                if n >= o.min_documents and len(known) >= o.min_documents:
                    measured[name] = (histogram_psi(reference, like(reference, known)),
                                      len(known))
        judged |= {name: (value, o.psi_threshold, value > o.psi_threshold)
                   for name, (value, _) in measured.items()}
        events = self._record(bundle_id, judged)
        event = events.get("auto_precision")
        base["precision"] = PrecisionDrift(
            **precision.model_dump(), since=event.since if event else None,
            acknowledged_by=event.acknowledged_by if event else None,
            acknowledged_at=event.acknowledged_at if event else None)
        precision_reason = None
        if o.action == "suspend" and event is not None and event.acknowledged_at is None:
            precision_reason = "drift: " + describe("auto_precision", event.psi,
                                                    event.threshold)
        if profile is None or not measured:
            status: Status = "no_reference_profile" if profile is None else "too_few_documents"
            detail = ("no reference profile: the bundle predates drift checks; re-train it to "
                      "get one" if profile is None else f"{base['window']} recent documents "
                      f"of bundle {bundle_id}; a verdict needs {o.min_documents}")
            if event is not None:
                status, detail = "drifted", f"drifted: auto_precision; {detail}"
            return DriftReport(status=status, detail=detail, **(base | dict(
                suspended=precision_reason is not None, suspension_reason=precision_reason)))
        signals = [SignalDrift(signal=name, psi=round(value, 4), threshold=o.psi_threshold,
                               window=count, drifted=value > o.psi_threshold,
                               since=events[name].since if name in events else None,
                               acknowledged_by=events[name].acknowledged_by
                               if name in events else None,
                               acknowledged_at=events[name].acknowledged_at
                               if name in events else None)
                   for name, (value, count) in measured.items()]
        unacknowledged = [s for s in signals if s.drifted and s.acknowledged_at is None]
        reason = precision_reason
        if o.action == "suspend" and unacknowledged and reason is None:
            worst = max(unacknowledged, key=lambda s: s.psi)
            reason = f"drift: {worst.signal} PSI {worst.psi:.3f} > {o.psi_threshold:g}"
        drifted = [s.signal for s in signals if s.drifted] + (["auto_precision"] if event
                                                               else [])
        return DriftReport(
            status="drifted" if drifted else "ok",
            detail=f"drifted: {', '.join(drifted)}" if drifted else "no signal drifted",
            **(base | dict(signals=signals, suspended=reason is not None,
                           suspension_reason=reason)))

    def _record(self, bundle_id: str,
                judged: dict[str, tuple[float, float, bool]]) -> dict[str, DriftEvent]:
        """Open an event for each newly drifted signal (value, threshold, drifted), close those
        no longer drifted; returns the open events by signal. For `auto_precision` the event's
        `psi` holds the upper bound and `threshold` the promised precision."""
        with self.db.session() as session:
            open_events = {e.signal: e for e in session.scalars(select(DriftEvent).where(
                DriftEvent.bundle_id == bundle_id, DriftEvent.cleared_at.is_(None)))}
            for name, (value, threshold, drifted) in judged.items():
                event = open_events.get(name)
                if drifted and event is None:
                    event = DriftEvent(bundle_id=bundle_id, signal=name, psi=value,
                                       threshold=threshold, since=utcnow())
                    session.add(event)
                    open_events[name] = event
                elif not drifted and event is not None:
                    event.cleared_at = utcnow()
                    del open_events[name]
                elif event is not None:
                    event.psi = value
            session.flush()
        return open_events
