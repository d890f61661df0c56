"""Reads and writes of document rows."""

from __future__ import annotations

from sqlalchemy import func, select, update

from agent.errors import DocumentNotFoundError
from agent.store.db import Database
from agent.store.models import Document, DocumentStatus, utcnow


class DocumentRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, doc_id: str) -> Document | None:
        with self.db.session() as session:
            return session.get(Document, doc_id)

    def require(self, doc_id: str) -> Document:
        document = self.get(doc_id)
        if document is None:
            raise DocumentNotFoundError(
                f"No document with id {doc_id!r}. Ids are the sha256 of the uploaded bytes; "
                "list them with `papertrail documents list`."
            )
        return document

    def resolve_prefix(self, prefix: str) -> str:
        """A full id from a unique prefix of it, as git does."""
        with self.db.session() as session:
            ids = list(session.scalars(
                select(Document.id).where(Document.id.startswith(prefix)).limit(2)))
        if len(ids) == 1:
            return ids[0]
        raise DocumentNotFoundError(
            f"No document with id {prefix!r}." if not ids else
            f"Several documents start with {prefix!r}; give more characters.")

    def list(self, limit: int = 100, status: str | None = None) -> list[Document]:
        query = select(Document).order_by(Document.created_at.desc()).limit(limit)
        if status:
            query = query.where(Document.status == status)
        with self.db.session() as session:
            return list(session.scalars(query))

    def count(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(Document)) or 0

    def set_status(self, doc_id: str, status: str, error: str | None = None) -> None:
        with self.db.session() as session:
            document = session.get(Document, doc_id)
            if document is None:
                raise DocumentNotFoundError(f"No document with id {doc_id!r}.")
            document.status = status
            document.error = error

    def touch(self, doc_id: str) -> bool:
        """Mark a document that is being worked on as alive (`updated_at` = now), so crash
        recovery does not take a long step for a stall. False once it is no longer in work."""
        with self.db.session() as session:
            return session.execute(
                update(Document).where(Document.id == doc_id, Document.status.in_(
                    [DocumentStatus.RECEIVED, DocumentStatus.PROCESSING]))
                .values(updated_at=utcnow()).execution_options(synchronize_session=False)
            ).rowcount == 1
