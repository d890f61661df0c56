"""SQLAlchemy tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A point in time, stored in UTC and always read back with its time zone.

    SQLite keeps no offset, so a plain `DateTime(timezone=True)` comes back naive there and
    aware from PostgreSQL; this type gives every backend the same aware UTC value.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(f"refusing to store a datetime without a time zone: {value}")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class DocumentStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    FAILED = "failed"


class Document(Base):
    """One uploaded document. Its id is the sha256 of its bytes, so re-uploads find it."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    detected_type: Mapped[str] = mapped_column(String(64))
    declared_type: Mapped[str | None] = mapped_column(String(64), default=None)
    type_mismatch: Mapped[bool] = mapped_column(default=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), default=DocumentStatus.RECEIVED, index=True)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    lineage_head: Mapped[str | None] = mapped_column(String(64), default=None)
    lineage_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 onupdate=utcnow)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "filename": self.filename,
            "detected_type": self.detected_type,
            "declared_type": self.declared_type,
            "type_mismatch": self.type_mismatch,
            "size_bytes": self.size_bytes,
            "page_count": self.page_count,
            "status": self.status,
            "error": self.error,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


class LineageRecord(Base):
    """One step's record. Append-only; each record's hash covers the previous one's."""

    __tablename__ = "lineage_records"
    __table_args__ = (
        UniqueConstraint("doc_id", "seq"),
        UniqueConstraint("doc_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    node: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))  # ISO text: hashed exactly as stored
    payload: Mapped[dict] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(128), default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LineageSignature(Base):
    """An Ed25519 signature over one lineage record's hash, by a key kept outside the database.

    Its own table, so a database written before records were signed needs no migration: its
    records simply have none (verification reports them as unsigned)."""

    __tablename__ = "lineage_signatures"

    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))  # base64 of the 64-byte signature


class Review(Base):
    """A pending or decided human review. Deciding flips `status` once, atomically."""

    __tablename__ = "reviews"

    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    payload: Mapped[dict] = mapped_column(JSON)  # what the reviewer needs to see
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None, index=True)
    decision: Mapped[dict | None] = mapped_column(JSON, default=None)
    reviewer: Mapped[str | None] = mapped_column(String(255), default=None)


class Decision(Base):
    """The final outcome for a document: what it is, what it says, who decided."""

    __tablename__ = "decisions"

    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    action: Mapped[str] = mapped_column(String(32))  # auto_approved|approved|rejected|...
    label: Mapped[str | None] = mapped_column(String(64), index=True)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    decided_by: Mapped[str] = mapped_column(String(255))
    band: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class DriftEvent(Base):
    """A signal of one bundle found drifted: open until the drift clears (`cleared_at`);
    an admin's acknowledgement lifts the suspension it causes (PAPERTRAIL_DRIFT_ACTION)."""

    __tablename__ = "drift_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bundle_id: Mapped[str] = mapped_column(String(64), index=True)
    signal: Mapped[str] = mapped_column(String(32))
    psi: Mapped[float]
    threshold: Mapped[float]
    since: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class DriftAlert(Base):
    """A drift event's alert, claimed once (the first process to insert the row sends it): log
    line, `bundle.drift` webhook, Slack message. Its own table, so databases with drift events
    from before alerts need no migration."""

    __tablename__ = "drift_alerts"

    event_id: Mapped[int] = mapped_column(ForeignKey("drift_events.id"), primary_key=True)
    bundle_id: Mapped[str] = mapped_column(String(64))
    signal: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class BundleEvent(Base):
    """One step of a bundle's life, with who took it and when: `retrain`, `shadow`,
    `shadow_off`, `activate` (a promotion; `forced` with its reason when the gate refused) and
    `rollback`. `previous_id` is the bundle active (or shadowed) before the step."""

    __tablename__ = "bundle_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(16), index=True)
    bundle_id: Mapped[str | None] = mapped_column(String(64), index=True)
    previous_id: Mapped[str | None] = mapped_column(String(64), default=None)
    actor: Mapped[str] = mapped_column(String(255))
    forced: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
