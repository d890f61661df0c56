"""What someone who can write the database (but not read the data folder's key) can do to a
lineage chain with the public code: change a record, recompute every later hash with
`record_hash`, and fix the document's head and count, so the hash chain alone is intact."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from agent.ingest import ingest_bytes
from agent.lineage import GENESIS, LineageLog, record_hash
from agent.lineage_signing import SIGNATURE_CONTEXT, key_id
from agent.settings import Settings
from agent.store import Store
from agent.store.models import Document, LineageRecord, LineageSignature

Signer = Callable[[str], tuple[str, str]]  # record hash -> (key id, base64 signature)
NODES = ("ingest", "ocr", "classify", "finalize")


def new_document(store: Store, settings: Settings, text: str = "Invoice 7\nTotal 9.00") -> str:
    return ingest_bytes(text.encode(), "doc.txt", store, settings).document.id


def chain(store: Store, settings: Settings, nodes: tuple[str, ...] = NODES,
          text: str = "Invoice 7\nTotal 9.00") -> str:
    """A new document whose lineage holds one signed record per node."""
    doc_id = new_document(store, settings, text)
    log = LineageLog.from_settings(settings, store.db)
    for node in nodes:
        log.append(doc_id, node, {"node": node, "threshold": 0.9})
    return doc_id


def forge(store: Store, doc_id: str, from_seq: int, change: dict[str, Any],
          signer: Signer | None = None, drop_signatures: bool = False) -> None:
    """Rewrite the chain from record `from_seq` on, consistently, as a database writer can."""
    with store.db.session() as session:
        records = session.scalars(select(LineageRecord).where(LineageRecord.doc_id == doc_id)
                                  .order_by(LineageRecord.seq)).all()
        prev = records[from_seq - 2].hash if from_seq > 1 else GENESIS
        for rec in records[from_seq - 1:]:
            if rec.seq == from_seq:
                rec.payload = {**rec.payload, **change}
            rec.prev_hash = prev
            rec.hash = prev = record_hash(prev, doc_id, rec.seq, rec.node, rec.created_at,
                                          rec.payload)
            signature = session.get(LineageSignature, (doc_id, rec.seq))
            if signer is not None:
                signature.key_id, signature.signature = signer(rec.hash)
            elif drop_signatures and signature is not None:
                session.delete(signature)
        document = session.get(Document, doc_id)
        document.lineage_head, document.lineage_count = prev, len(records)


def attacker_key() -> tuple[Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.generate()
    return key, key_id(key.public_key())


def sign_with(key: Ed25519PrivateKey, claimed_id: str) -> Signer:
    def signer(hash_: str) -> tuple[str, str]:
        return claimed_id, base64.b64encode(key.sign(SIGNATURE_CONTEXT + hash_.encode())).decode()

    return signer
