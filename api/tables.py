"""Tables only the faces need: who submitted what, and which Slack message shows which review.

They live on the store's metadata, so `Database.create_all()` creates them once this module is
imported (the API and the worker import it before touching the database).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from agent.store.db import Database
from agent.store.models import Base, UtcDateTime, utcnow


class Submission(Base):
    """One submitter uploaded one document (the same bytes may come from several people)."""

    __tablename__ = "submissions"

    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    submitter: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SlackMessage(Base):
    """The review message posted for a document: posted once, updated once when decided."""

    __tablename__ = "slack_messages"

    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32), default=None)
    state: Mapped[str] = mapped_column(String(16), default="posting")  # posting|posted|closed
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 onupdate=utcnow)


class SubmissionRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, doc_id: str, submitter: str) -> None:
        try:
            with self.db.session() as session:
                if session.get(Submission, (doc_id, submitter)) is None:
                    session.add(Submission(doc_id=doc_id, submitter=submitter))
        except IntegrityError:
            pass  # the same person uploaded the same bytes concurrently

    def submitted_by(self, doc_id: str, submitter: str) -> bool:
        with self.db.session() as session:
            return session.get(Submission, (doc_id, submitter)) is not None

    def submitters(self, doc_id: str) -> list[str]:
        with self.db.session() as session:
            return list(session.scalars(
                select(Submission.submitter).where(Submission.doc_id == doc_id)))


def create_tables(db: Database) -> None:
    """Create every table (store's and these) that does not exist yet."""
    db.create_all()
