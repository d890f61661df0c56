"""Live precision of auto-approvals and drift alerts, on a real database and lineage chain:
QA verdicts on a bundle's auto-approved documents give a Clopper-Pearson interval; an upper
bound below the certified promise is drift (an event, a suspension, one alert per event)."""

from __future__ import annotations

import logging

import pytest
from scipy.stats import beta

from agent.drift import DriftMonitor
from agent.drift_alerts import DriftAlertEvent
from agent.drift_precision import Promise, auto_precision
from agent.drift_settings import DriftSettings
from agent.ingest import ingest_bytes
from agent.lineage import LineageLog
from agent.settings import Settings
from agent.store import Store

PROMISE = Promise(target_precision=0.98, delta=0.05)


def approved_then_checked(store: Store, settings: Settings, tag: str, bundle: str,
                          verdict: str | None, qa: bool = True) -> str:
    """A document the bundle auto-approved, then (unless `verdict` is None) looked at."""
    doc_id = ingest_bytes(f"doc {tag}".encode(), f"{tag}.txt", store, settings).document.id
    LineageLog.from_settings(settings, store.db).append(doc_id, "classify", {
        "classifier": {"bundle_id": bundle}, "prediction": {"label": "memo"}})
    store.decisions.record(doc_id, "auto_approved", "memo", {}, "papertrail:auto",
                           "confident", 0.99)
    if verdict is not None:
        store.reviews.open(doc_id, {"qa": qa, "label": "memo"})
        decision = {"action": verdict, "reviewer": "rita"}
        decision |= {"label": "letter"} if verdict == "relabel" else {}
        assert store.reviews.claim(doc_id, decision, "rita")
    return doc_id


def fill(store: Store, settings: Settings, bundle: str, counts: dict[str, int],
         batch: str = "") -> None:
    for verdict, count in counts.items():
        for i in range(count):
            approved_then_checked(store, settings, f"{bundle}-{verdict}-{i}{batch}", bundle,
                                  verdict)


def test_precision_counts_relabels_and_rejects_as_wrong(store: Store,
                                                         db_settings: Settings) -> None:
    fill(store, db_settings, "b1", {"approve": 40, "edit": 2, "relabel": 6, "reject": 2})
    fill(store, db_settings, "b0", {"relabel": 5})  # another bundle's: not counted
    approved_then_checked(store, db_settings, "unchecked", "b1", None)  # no verdict yet
    approved_then_checked(store, db_settings, "other-review", "b1", "approve", qa=False)

    p = auto_precision(store.db, "b1", PROMISE)
    assert (p.n, p.correct, p.relabeled, p.rejected, p.edited, p.qa) == (51, 43, 6, 2, 2, 50)
    assert p.precision == round(43 / 51, 4)
    assert p.lower == pytest.approx(beta.ppf(0.025, 43, 9), abs=1e-4)
    assert p.upper == pytest.approx(beta.ppf(0.975, 44, 8), abs=1e-4)
    assert p.upper < 0.98 and p.below_promise and p.promise == 0.98
    assert not auto_precision(store.db, "b1", None).below_promise  # no certified promise
    assert auto_precision(store.db, "b1", PROMISE, window=10).n == 10
    empty = auto_precision(store.db, "nobody", PROMISE)
    assert empty.n == 0 and empty.precision is None and not empty.below_promise


def test_precision_below_the_promise_is_drift_alerted_once(
        store: Store, db_settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    fill(store, db_settings, "b1", {"approve": 30, "relabel": 5})
    options = DriftSettings(action="suspend", cache_seconds=0, precision_window=100)
    bare = DriftMonitor(store.db, options)  # a process without alert channels
    report = bare.report("b1", None, promise=PROMISE)
    assert report.status == "drifted" and report.precision is not None
    assert report.precision.below_promise and report.precision.since is not None
    assert report.suspension_reason.startswith("drift: live precision of auto-approvals")

    alerts: list[DriftAlertEvent] = []
    caplog.set_level(logging.WARNING, logger="papertrail.drift")
    for _ in range(2):  # two processes with listeners, each checking twice
        monitor = DriftMonitor(store.db, options)
        monitor.listeners.append(alerts.append)
        monitor.report("b1", None, promise=PROMISE)
        monitor.report("b1", None, fresh=True, promise=PROMISE)
    assert len(alerts) == 1, alerts
    alert = alerts[0]
    assert alert.signal == "auto_precision" and alert.bundle_id == "b1"
    assert alert.threshold == 0.98 and alert.value == pytest.approx(report.precision.upper)
    assert alert.action == "suspend"
    lines = [r.getMessage() for r in caplog.records if r.name == "papertrail.drift"]
    assert len(lines) == 1 and "bundle b1" in lines[0] and "below the certified" in lines[0]

    assert monitor.acknowledge("b1", "ada") == 1
    assert monitor.suspension("b1", None, PROMISE) is None
    # reviews confirm the machine again: the bound rises above the promise, the event closes
    fill(store, db_settings, "b1", {"approve": 100}, batch="later")
    report = monitor.report("b1", None, fresh=True, promise=PROMISE)
    assert not report.precision.below_promise and report.precision.since is None
    assert report.status == "no_reference_profile" and len(alerts) == 1
