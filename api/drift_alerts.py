"""Drift alerts through the faces: webhook `bundle.drift` and a Slack message, once per drift
event (agent/drift_alerts.py claims the event and logs it; this module is its listener).

Both leave through the worker: the webhook by the existing delivery task (signed, retried,
recorded in `bundle_webhook_deliveries`), the Slack message by `papertrail.drift_slack`, which
claims a `drift_slack_messages` row before posting so a retried task posts once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import Celery
from sqlalchemy import ForeignKey, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from agent.drift import DriftMonitor
from agent.drift_alerts import DriftAlertEvent
from agent.settings import Settings
from agent.store import Store
from agent.store.models import Base, UtcDateTime, utcnow
from api import webhooks

log = logging.getLogger(__name__)
DRIFT_EVENT = "bundle.drift"
DRIFT_SLACK = "papertrail.drift_slack"


class DriftSlackMessage(Base):
    """The Slack message of one drift event: claimed before posting, so it is posted once."""

    __tablename__ = "drift_slack_messages"

    event_id: Mapped[int] = mapped_column(ForeignKey("drift_events.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def webhook_payload(alert: DriftAlertEvent) -> dict[str, Any]:
    return {"event": DRIFT_EVENT, "bundle_id": alert.bundle_id, "signal": alert.signal,
            "value": round(alert.value, 4), "threshold": alert.threshold,
            "since": alert.since.isoformat(), "action": alert.action, "detail": alert.detail,
            "drift_event_id": alert.event_id, "occurred_at": utcnow().isoformat()}


def slack_text(alert: DriftAlertEvent, public_url: str | None = None) -> str:
    then = ("auto-approval is suspended: every document goes to a person until an admin "
            "acknowledges it (POST /drift/ack)" if alert.action == "suspend"
            else "nothing changes automatically (PAPERTRAIL_DRIFT_ACTION=alert)")
    where = f" Details: {public_url}/drift" if public_url else ""
    return (f":warning: Drift on bundle {alert.bundle_id}: {alert.detail} (since "
            f"{alert.since.isoformat(timespec='seconds')}). The certificate may no longer hold; "
            f"{then}.{where}")


def attach(monitor: DriftMonitor | None, app: Celery, store: Store, settings: Settings) -> None:
    """Register the webhook and Slack alerts on a drift monitor (once per process)."""
    if monitor is None or any(getattr(f, "papertrail_drift_alert", False)
                              for f in monitor.listeners):
        return

    def alert(event: DriftAlertEvent) -> None:
        if settings.webhook.enabled:
            for delivery_id in webhooks.record_bundle_event(
                    store, settings.webhook, DRIFT_EVENT, f"drift_event:{event.event_id}",
                    webhook_payload(event)):
                app.send_task(webhooks.WEBHOOK, args=[delivery_id], ignore_result=True)
        if settings.slack.enabled:
            app.send_task(DRIFT_SLACK, args=[event.model_dump(mode="json")],
                          ignore_result=True)

    alert.papertrail_drift_alert = True  # type: ignore[attr-defined]
    monitor.listeners.append(alert)


def post_slack(store: Store, settings: Settings, alert: DriftAlertEvent) -> str:
    """Post the alert to the Slack channel once; say what was done."""
    from api.slack.notifier import web_client

    channel = str(settings.slack.channel)
    try:
        with store.db.session() as session:
            session.add(DriftSlackMessage(event_id=alert.event_id, channel=channel))
    except IntegrityError:
        return "already posted"
    try:
        response = web_client(settings.slack).chat_postMessage(
            channel=channel, text=slack_text(alert, settings.api.resolved_public_url))
    except Exception:
        with store.db.session() as session:  # let the retry post it
            session.delete(session.get(DriftSlackMessage, alert.event_id))
        raise
    with store.db.session() as session:
        session.get(DriftSlackMessage, alert.event_id).ts = response["ts"]
    return "posted"


def register_task(app: Celery, store_of: Any, settings: Settings) -> None:
    """The Slack task: retried with exponential backoff while Slack cannot be reached."""

    @app.task(name=DRIFT_SLACK, bind=True, acks_late=True, max_retries=8)
    def drift_slack(self: Any, alert: dict[str, Any]) -> str:
        try:
            return post_slack(store_of(), settings, DriftAlertEvent.model_validate(alert))
        except Exception as exc:
            log.warning("drift alert %s to Slack failed: %s", alert.get("event_id"), exc)
            raise self.retry(exc=exc, countdown=min(5 * 2 ** self.request.retries,
                                                    600)) from exc
