"""Per-document lineage: an append-only, hash-chained, signed log of what produced every decision.

Each record's hash covers the previous record's hash and its own content; the document row
keeps the head hash and the count, so an edited, removed or truncated record is detectable.
The hash function is public, so whoever can write the database could rewrite a chain
consistently: each record is therefore also signed with a key kept outside the database
(agent/lineage_signing.py), and its hash anchored in a file outside it (agent/lineage_anchor.py).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, select
from sqlalchemy.exc import IntegrityError

from agent.errors import DocumentNotFoundError
from agent.lineage_anchor import AnchorLog
from agent.lineage_signing import LineageKeys
from agent.settings import Settings
from agent.store.db import Database
from agent.store.models import Document, LineageRecord, LineageSignature

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def record_hash(prev_hash: str, doc_id: str, seq: int, node: str, created_at: str,
                payload: dict[str, Any]) -> str:
    return digest({"prev": prev_hash, "doc_id": doc_id, "seq": seq, "node": node,
                   "created_at": created_at, "payload": payload})


def _with_key(doc_id: str, dedupe_key: str) -> Select:
    return select(LineageRecord.id).where(LineageRecord.doc_id == doc_id,
                                          LineageRecord.dedupe_key == dedupe_key)


class VerifyReport(BaseModel):
    doc_id: str
    ok: bool = Field(description="The chain is whole and every signed record carries a valid "
                     "signature by a trusted key. Unsigned records from before signing do not "
                     "make it false; they are listed in `unsigned`.")
    records: int
    problems: list[str]
    rewritten: list[int] = Field(
        default_factory=list, description="Seq of each record found not as Papertrail wrote it.")
    unsigned: list[int] = Field(
        default_factory=list, description="Seq of each record written before lineage signing: "
        "it has no signature of its own (a later signed record covers it through the chain).")
    key_ids: list[str] = Field(
        default_factory=list, description="Trusted keys whose signatures verified.")


class LineageLog:
    def __init__(self, db: Database, keys: LineageKeys, anchors: AnchorLog) -> None:
        self.db = db
        self.keys = keys
        self.anchors = anchors

    @classmethod
    def from_settings(cls, settings: Settings, db: Database) -> LineageLog:
        return cls(db, LineageKeys.from_settings(settings), AnchorLog.from_settings(settings))

    def append(self, doc_id: str, node: str, payload: dict[str, Any],
               dedupe_key: str | None = None) -> None:
        """Add a record at the head of the document's chain (once per `dedupe_key`)."""
        payload = json.loads(canonical_json(payload))  # exactly what the JSON column returns
        try:
            self._append(doc_id, node, payload, dedupe_key)
        except IntegrityError:
            if dedupe_key is None or not self._has(doc_id, dedupe_key):
                raise
            # a concurrent replay of the same step wrote it first: logged once, as wanted

    def _append(self, doc_id: str, node: str, payload: dict[str, Any],
                dedupe_key: str | None) -> None:
        with self.db.session() as session:
            document = session.scalars(
                select(Document).where(Document.id == doc_id).with_for_update()
            ).one_or_none()
            if document is None:
                raise DocumentNotFoundError(f"No document with id {doc_id!r}.")
            if dedupe_key and session.scalars(_with_key(doc_id, dedupe_key)).first():
                return
            seq = document.lineage_count + 1
            prev = document.lineage_head or GENESIS
            created_at = datetime.now(UTC).isoformat()
            new_hash = record_hash(prev, doc_id, seq, node, created_at, payload)
            signature = self.keys.sign(new_hash)
            session.add(LineageRecord(
                doc_id=doc_id, seq=seq, node=node, created_at=created_at, payload=payload,
                dedupe_key=dedupe_key, prev_hash=prev, hash=new_hash,
            ))
            session.add(LineageSignature(doc_id=doc_id, seq=seq, key_id=signature.key_id,
                                         signature=signature.signature))
            document.lineage_head, document.lineage_count = new_hash, seq
        self.anchors.append(doc_id, seq, new_hash)  # after the commit: never ahead of the chain

    def _has(self, doc_id: str, dedupe_key: str) -> bool:
        with self.db.session() as session:
            return session.scalars(_with_key(doc_id, dedupe_key)).first() is not None

    def records(self, doc_id: str) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.execute(
                select(LineageRecord, LineageSignature)
                .outerjoin(LineageSignature, and_(LineageSignature.doc_id == LineageRecord.doc_id,
                                                  LineageSignature.seq == LineageRecord.seq))
                .where(LineageRecord.doc_id == doc_id).order_by(LineageRecord.seq)
            ).all()
            return [
                {"seq": r.seq, "node": r.node, "created_at": r.created_at, "hash": r.hash,
                 "prev_hash": r.prev_hash, "payload": r.payload,
                 "key_id": sig.key_id if sig else None, "signature": sig.signature if sig else None}
                for r, sig in rows
            ]

    def verify(self, doc_id: str) -> VerifyReport:
        with self.db.session() as session:
            document = session.get(Document, doc_id)
            if document is None:
                raise DocumentNotFoundError(f"No document with id {doc_id!r}.")
            head, count = document.lineage_head or GENESIS, document.lineage_count
        records = self.records(doc_id)
        problems: list[str] = []
        rewritten: set[int] = set()
        prev = GENESIS
        for expected_seq, rec in enumerate(records, start=1):
            if rec["seq"] != expected_seq:
                problems.append(f"record {expected_seq} is missing (next found: {rec['seq']})")
            if rec["prev_hash"] != prev:
                problems.append(f"record {rec['seq']} ({rec['node']}) does not follow the "
                                "record before it: a record was removed or altered")
            recomputed = record_hash(rec["prev_hash"], doc_id, rec["seq"], rec["node"],
                                     rec["created_at"], rec["payload"])
            if recomputed != rec["hash"]:
                problems.append(f"record {rec['seq']} ({rec['node']}) was edited: its content "
                                "no longer matches its hash")
                rewritten.add(rec["seq"])
            prev = rec["hash"]
        if len(records) != count or prev != head:
            problems.append(f"the chain holds {len(records)} records ending in {prev[:12]}, but "
                            f"the document expects {count} ending in {head[:12]}: records were "
                            "removed or added outside Papertrail")
        signatures = self.keys.check(records)
        anchor_problems, anchor_rewritten = self.anchors.check(doc_id, records)
        problems += signatures.problems + anchor_problems
        rewritten.update(signatures.rewritten, anchor_rewritten)
        return VerifyReport(doc_id=doc_id, ok=not problems, records=len(records),
                            problems=problems, rewritten=sorted(rewritten),
                            unsigned=signatures.unsigned, key_ids=signatures.key_ids)
