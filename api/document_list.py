"""GET /documents: rows newest first, keyset pagination behind an opaque cursor.

`status` and `since` filter in SQL; `band` and `label` live in each document's graph state (the
same source GET /documents/{id} shows), so they are checked row by row while scanning. One page
scans at most `SCAN_BUDGET` rows: a page may hold fewer than `limit` items and still carry a
`next_cursor` (more rows remain to look at); only `next_cursor: null` means the end.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import and_, or_, select

from agent.store.db import Database
from agent.store.models import Document
from api.tables import Submission
from papertrail.errors import PapertrailError

SCAN_BUDGET = 1000  # rows one page may examine for band/label filters
_BATCH = 200
V = TypeVar("V")


class InvalidCursorError(PapertrailError):
    code = "invalid_cursor"
    kind = "invalid"


@dataclass(frozen=True)
class Position:
    """Where a page ends: the last row examined, in (created_at, id) descending order."""

    created_at: datetime
    doc_id: str

    def encode(self) -> str:
        raw = json.dumps({"t": self.created_at.isoformat(), "id": self.doc_id}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            data = json.loads(raw)
            when = datetime.fromisoformat(data["t"])
            doc_id = data["id"]
            if when.tzinfo is None or not isinstance(doc_id, str):
                raise ValueError("incomplete")
        except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise InvalidCursorError(
                f"The cursor {cursor[:80]!r} is not one this API issued. Pass `next_cursor` "
                "from the previous page unchanged, or leave `cursor` out to start from the "
                "newest document.") from None
        return cls(when.astimezone(UTC), doc_id)


@dataclass(frozen=True)
class ListQuery:
    status: str | None = None
    since: datetime | None = None
    submitter: str | None = None  # only documents this owner submitted


def page(db: Database, query: ListQuery, limit: int, cursor: str | None,
         item: Callable[[Document], V | None]) -> tuple[list[V], str | None]:
    """Up to `limit` items, newest first, and the cursor of the next page. `item` turns a row
    into what the page holds, or None for a row the band/label filters leave out."""
    after = Position.decode(cursor) if cursor else None
    found: list[V] = []
    last: Document | None = None
    exhausted = True
    for scanned, document in enumerate(_rows(db, query, after)):
        if len(found) == limit or scanned == SCAN_BUDGET:
            exhausted = False
            break
        last = document
        value = item(document)
        if value is not None:
            found.append(value)
    if exhausted or last is None:
        return found, None
    return found, Position(last.created_at, last.id).encode()


def _rows(db: Database, query: ListQuery, after: Position | None) -> Iterator[Document]:
    """Rows after `after`, newest first, read in batches (each its own short transaction)."""
    while True:
        statement = select(Document).order_by(Document.created_at.desc(),
                                              Document.id.desc()).limit(_BATCH)
        if query.status:
            statement = statement.where(Document.status == query.status)
        if query.since:
            statement = statement.where(Document.created_at >= query.since)
        if query.submitter is not None:
            statement = statement.where(Document.id.in_(
                select(Submission.doc_id).where(Submission.submitter == query.submitter)))
        if after is not None:
            statement = statement.where(or_(
                Document.created_at < after.created_at,
                and_(Document.created_at == after.created_at, Document.id < after.doc_id)))
        with db.session() as session:
            batch = list(session.scalars(statement))
        yield from batch
        if len(batch) < _BATCH:
            return
        after = Position(batch[-1].created_at, batch[-1].id)
