"""Alerts when a drift event opens: once per event, whichever process notices it.

Events are opened by any process that checks drift (a worker classifying, the API answering
GET /drift, /metrics or /healthz). The alert is claimed by inserting a `drift_alerts` row for
the event: exactly one process succeeds, logs one line and hands the alert to its listeners
(the faces register them: webhook `bundle.drift`, Slack; agent/ knows neither). A process with
no listeners claims nothing, so an event opened by a bare pipeline is alerted by the next
process that has them. An event whose alert was claimed but whose process died before its
listeners ran is not alerted again (at most once); the webhook and Slack tasks themselves retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from agent.store.db import Database
from agent.store.models import DriftAlert, DriftEvent

log = logging.getLogger("papertrail.drift")


class DriftAlertEvent(BaseModel):
    """What an alert says: which bundle, which signal, how far over, what happens now."""

    event_id: int
    bundle_id: str
    signal: str
    value: float
    threshold: float
    since: datetime
    action: str
    detail: str


Listener = Callable[[DriftAlertEvent], None]


def describe(signal: str, value: float, threshold: float) -> str:
    if signal == "auto_precision":
        return (f"live precision of auto-approvals: upper bound {value:.3f} below the "
                f"certified {threshold:.3f}")
    return f"{signal} PSI {value:.3f} > {threshold:g}"


def send_pending(db: Database, bundle_id: str, action: str,
                 listeners: list[Listener]) -> list[DriftAlertEvent]:
    """Claim and send the alert of each open event of the bundle not alerted yet (one per
    signal: a second event two processes opened for the same signal at once is skipped)."""
    if not listeners:
        return []
    with db.session() as session:
        events = session.scalars(select(DriftEvent).where(
            DriftEvent.bundle_id == bundle_id, DriftEvent.cleared_at.is_(None))
            .order_by(DriftEvent.id)).all()
        alerted = set(session.scalars(select(DriftAlert.signal).join(
            DriftEvent, DriftEvent.id == DriftAlert.event_id).where(
            DriftEvent.bundle_id == bundle_id, DriftEvent.cleared_at.is_(None))))
    sent = []
    for event in events:
        if event.signal in alerted:
            continue
        alerted.add(event.signal)
        try:
            with db.session() as session:
                session.add(DriftAlert(event_id=event.id, bundle_id=bundle_id,
                                       signal=event.signal))
        except IntegrityError:
            continue  # another process claimed it and sends it
        alert = DriftAlertEvent(
            event_id=event.id, bundle_id=bundle_id, signal=event.signal, value=event.psi,
            threshold=event.threshold, since=event.since, action=action,
            detail=describe(event.signal, event.psi, event.threshold))
        log.warning("drift: bundle %s, %s (since %s; action %s)", bundle_id, alert.detail,
                    alert.since.isoformat(timespec="seconds"), action)
        for listener in listeners:
            try:
                listener(alert)
            except Exception:  # an alert channel down must never fail a check
                log.exception("drift alert %d: listener %r failed", event.id, listener)
        sent.append(alert)
    return sent
