"""Webhooks: `document.needs_review` and `document.decided`, POSTed as JSON to each configured
URL by a worker task, retried with backoff, every attempt recorded in `webhook_deliveries`.
Events about a bundle rather than a document (`bundle.drift`, api/drift_alerts.py) go the same
way, recorded in `bundle_webhook_deliveries` (keyed by a subject such as `drift_event:12`).

Each request carries `X-Papertrail-Event`, `X-Papertrail-Delivery` (a stable id: deliveries
are at least once, so receivers deduplicate on it), `X-Papertrail-Timestamp` (Unix seconds) and
`X-Papertrail-Signature: sha256=HEX`, the HMAC-SHA256 of `TIMESTAMP.BODY` under the shared
secret (`verify_signature` shows the receiver's check). An event is recorded once per document
and URL however often the step that emits it runs again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import datetime
from typing import Any

import httpx
from celery import Celery
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from agent.settings import Settings, WebhookSettings
from agent.store import Store
from agent.store.models import Base, UtcDateTime, utcnow

log = logging.getLogger(__name__)
WEBHOOK = "papertrail.webhook"
NEEDS_REVIEW, DECIDED = "document.needs_review", "document.decided"
EVENT_FOR_STATUS = {"needs_review": NEEDS_REVIEW, "approved": DECIDED, "rejected": DECIDED}


class _Delivery:
    """What every delivery records: its attempts and their outcome."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2048))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # |delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class WebhookDelivery(_Delivery, Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("event", "doc_id", "url"),)

    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)


class BundleWebhookDelivery(_Delivery, Base):
    """A delivery of an event about a bundle (no document): same life as WebhookDelivery."""

    __tablename__ = "bundle_webhook_deliveries"
    __table_args__ = (UniqueConstraint("event", "subject", "url"),)

    subject: Mapped[str] = mapped_column(String(128), index=True)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, sent: str,
                     tolerance_seconds: float = 300) -> bool:
    """The receiver's check: the signature matches and the timestamp is recent (replays)."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance_seconds
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), sent)


def event_payload(event: str, doc_id: str, store: Store) -> dict[str, Any]:
    document = store.documents.require(doc_id)
    decision = store.decisions.get(doc_id)
    review = store.reviews.get(doc_id)
    body: dict[str, Any] = {"event": event, "doc_id": doc_id, "filename": document.filename,
                            "status": document.status, "occurred_at": utcnow().isoformat()}
    if event == NEEDS_REVIEW and review is not None:
        payload = review.payload or {}
        body |= {"label": payload.get("label"), "band": payload.get("band"),
                 "review_reasons": payload.get("review_reasons") or []}
    if event == DECIDED and decision is not None:
        body |= {"decision": {"action": decision.action, "label": decision.label,
                              "fields": decision.fields, "decided_by": decision.decided_by,
                              "band": decision.band, "confidence": decision.confidence}}
    return body


def record(store: Store, settings: WebhookSettings, event: str, doc_id: str) -> list[str]:
    """Record the event for each URL once; returns the ids still to send (new, or recorded
    before and never attempted, e.g. when a worker died in between)."""
    payload = event_payload(event, doc_id, store)
    to_send: list[str] = []
    for url in settings.urls:
        try:
            with store.db.session() as session:
                row = session.scalars(select(WebhookDelivery).where(
                    WebhookDelivery.event == event, WebhookDelivery.doc_id == doc_id,
                    WebhookDelivery.url == url)).first()
                if row is None:
                    row = WebhookDelivery(id=str(uuid.uuid4()), event=event, doc_id=doc_id,
                                          url=url, payload=payload, status="pending",
                                          attempts=0)
                    session.add(row)
                if row.status == "pending" and row.attempts == 0:
                    to_send.append(row.id)
        except IntegrityError:
            continue  # recorded concurrently; that caller sends it
    return to_send


def record_bundle_event(store: Store, settings: WebhookSettings, event: str, subject: str,
                        payload: dict[str, Any]) -> list[str]:
    """`record` for an event about a bundle: once per subject and URL; ids still to send."""
    to_send: list[str] = []
    for url in settings.urls:
        try:
            with store.db.session() as session:
                row = session.scalars(select(BundleWebhookDelivery).where(
                    BundleWebhookDelivery.event == event,
                    BundleWebhookDelivery.subject == subject,
                    BundleWebhookDelivery.url == url)).first()
                if row is None:
                    row = BundleWebhookDelivery(id=str(uuid.uuid4()), event=event,
                                                subject=subject, url=url, payload=payload,
                                                status="pending", attempts=0)
                    session.add(row)
                if row.status == "pending" and row.attempts == 0:
                    to_send.append(row.id)
        except IntegrityError:
            continue
    return to_send


def _delivery(session: Any, delivery_id: str) -> WebhookDelivery | BundleWebhookDelivery | None:
    return session.get(WebhookDelivery, delivery_id) or session.get(BundleWebhookDelivery,
                                                                    delivery_id)


def attempt(store: Store, settings: WebhookSettings, delivery_id: str, final: bool) -> bool:
    """One delivery attempt, recorded. True when done (delivered, or nothing left to do)."""
    with store.db.session() as session:
        row = _delivery(session, delivery_id)
        if row is None or row.status != "pending":
            return True
        url, event, payload = row.url, row.event, row.payload
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    secret = settings.secret.get_secret_value() if settings.secret else ""
    code, error = None, None
    try:
        answer = httpx.post(url, content=body, timeout=settings.timeout_seconds, headers={
            "Content-Type": "application/json", "User-Agent": "papertrail-webhooks",
            "X-Papertrail-Event": event, "X-Papertrail-Delivery": delivery_id,
            "X-Papertrail-Timestamp": timestamp,
            "X-Papertrail-Signature": signature(secret, timestamp, body)})
        code = answer.status_code
        if not 200 <= code < 300:
            error = f"HTTP {code}: {answer.text[:200]}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    delivered = error is None
    with store.db.session() as session:
        row = _delivery(session, delivery_id)
        row.attempts += 1
        row.last_status_code, row.last_error = code, error
        if delivered:
            row.status, row.delivered_at = "delivered", utcnow()
        elif final:
            row.status = "failed"
    if not delivered:
        subject = getattr(row, "doc_id", None) or getattr(row, "subject", "")
        log.warning("webhook %s of %s to %s failed (attempt %d): %s", event, subject[:24],
                    url, row.attempts, error)
    return delivered or final


def emit(app: Celery, store: Store, settings: Settings, doc_id: str, status: str | None) -> None:
    """After a step: queue the event the document's new status calls for, if any. Never fails
    the step: a webhook that cannot even be recorded is logged."""
    event = EVENT_FOR_STATUS.get(status or "")
    if event is None or not settings.webhook.enabled:
        return
    try:
        for delivery_id in record(store, settings.webhook, event, doc_id):
            app.send_task(WEBHOOK, args=[delivery_id], ignore_result=True)
    except Exception:
        log.exception("could not queue webhook %s for %s", event, doc_id[:12])


def register_task(app: Celery, store_of: Any, settings: Settings) -> None:
    """The delivery task: one attempt per run, retried with exponential backoff."""
    hooks = settings.webhook

    @app.task(name=WEBHOOK, bind=True, acks_late=True, max_retries=hooks.max_attempts - 1)
    def deliver(self: Any, delivery_id: str) -> bool:
        final = self.request.retries >= hooks.max_attempts - 1
        if attempt(store_of(), hooks, delivery_id, final):
            return True
        raise self.retry(countdown=min(hooks.retry_base_seconds * 2 ** self.request.retries,
                                       600))
