"""Append-only files of each document's lineage heads, kept outside the database.

Signatures prove each record was written by a holder of the key, but two rewrites leave every
remaining signature valid: cutting a chain back to an earlier record (and fixing the document's
head and count), and replacing a whole chain with unsigned records, which then look like records
from before signing. So every append also adds its `(seq, hash)` to a per-document file here;
verification checks that the chain still holds the highest anchored record, unchanged.

A line is written after the record is committed, so a crash in between leaves the anchor one
record behind (harmless), never ahead of the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agent.settings import Settings
from papertrail.errors import ConfigurationError

_FILE_SAFE_ID = re.compile(r"[0-9A-Za-z_-]{1,128}")


class Anchor(BaseModel):
    seq: int
    hash: str


class AnchorLog:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def from_settings(cls, settings: Settings) -> AnchorLog:
        return cls(settings.lineage_anchor_dir)

    def path(self, doc_id: str) -> Path:
        name = doc_id if _FILE_SAFE_ID.fullmatch(doc_id) else hashlib.sha256(
            doc_id.encode()).hexdigest()
        return self.root / name[:2] / f"{name}.jsonl"

    def append(self, doc_id: str, seq: int, record_hash: str) -> None:
        path = self.path(doc_id)
        line = json.dumps({"seq": seq, "hash": record_hash}, separators=(",", ":")) + "\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, line.encode())  # one write of one short line: appends never mix
            finally:
                os.close(fd)
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot add to the lineage anchor file {path}: {exc.strerror}. The record is "
                "saved and signed; make the folder writable (PAPERTRAIL_LINEAGE_ANCHOR_DIR).",
            ) from exc

    def highest(self, doc_id: str) -> Anchor | None:
        """The anchored record with the highest seq (appends may land out of order)."""
        path = self.path(doc_id)
        if not path.is_file():
            return None
        best: Anchor | None = None
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                anchor = Anchor.model_validate_json(line)
            except ValueError:
                continue  # a line torn by a crash mid-write
            if best is None or anchor.seq > best.seq:
                best = anchor
        return best

    def check(self, doc_id: str, records: list[dict[str, Any]]) -> tuple[list[str], list[int]]:
        """Problems, and the seq of the record found rewritten (if any)."""
        anchor = self.highest(doc_id)
        if anchor is None:
            return [], []
        by_seq = {rec["seq"]: rec for rec in records}
        rec = by_seq.get(anchor.seq)
        if rec is None:
            return [f"record {anchor.seq} (hash {anchor.hash[:12]}) is anchored in "
                    f"{self.path(doc_id)} outside the database, but the chain holds "
                    f"{len(records)} records: the chain was cut short. (If the database was "
                    "replaced on purpose, move the anchor folder aside.)"], []
        if rec["hash"] != anchor.hash:
            return [f"record {anchor.seq} ({rec['node']}) has hash {rec['hash'][:12]}, but "
                    f"{anchor.hash[:12]} is anchored in {self.path(doc_id)} outside the "
                    "database: the chain was rewritten up to it. (If the database was replaced "
                    "on purpose, move the anchor folder aside.)"], [anchor.seq]
        return [], []
