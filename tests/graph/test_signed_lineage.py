"""Signed lineage against someone who can write the database but not the data folder's key
(the forger: tests/graph/lineage_forgery.py)."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from agent.lineage import GENESIS, LineageLog, record_hash
from agent.lineage_signing import _create_private_key
from agent.settings import Settings
from agent.store import Store
from agent.store.models import Document, LineageRecord, LineageSignature
from api.cli import app
from tests.graph.lineage_forgery import attacker_key, chain, forge, new_document, sign_with


def test_a_consistent_rewrite_by_a_database_writer_is_detected(
        store: Store, db_settings: Settings) -> None:
    doc_id = chain(store, db_settings)
    log = LineageLog.from_settings(db_settings, store.db)
    assert log.verify(doc_id).ok
    [signer_id] = log.verify(doc_id).key_ids

    forge(store, doc_id, 2, {"threshold": 0.1})
    report = log.verify(doc_id)
    assert not report.ok and report.rewritten == [2, 3, 4]
    assert not any("edited" in p or "expects" in p for p in report.problems)  # the chain holds
    assert sum(f"valid signature by key {signer_id}" in p for p in report.problems) == 3

    # Removing the signatures of the rewritten records does not help.
    forge(store, doc_id, 2, {"threshold": 0.2}, drop_signatures=True)
    report = log.verify(doc_id)
    assert not report.ok and report.rewritten == [2, 3, 4] and report.unsigned == []
    assert "record 2 (ocr) is unsigned although record 1" in report.problems[0]


def test_the_cli_reports_a_consistent_rewrite(settings: Settings) -> None:
    store = Store.from_settings(settings)
    doc_id = chain(store, settings)
    forge(store, doc_id, 3, {"threshold": 0.1})
    result = CliRunner().invoke(app, ["--data-dir", str(settings.data_dir), "lineage", doc_id,
                                      "--verify"])
    assert result.exit_code == 1, result.output
    assert "lineage intact" not in result.output
    assert "rewritten records: 3, 4" in result.output and "by key " in result.output
    store.db.dispose()


def test_a_rewrite_signed_with_an_untrusted_key_is_detected(
        store: Store, db_settings: Settings) -> None:
    doc_id = chain(store, db_settings)
    log = LineageLog.from_settings(db_settings, store.db)
    [trusted_id] = log.verify(doc_id).key_ids
    key, own_id = attacker_key()

    forge(store, doc_id, 3, {"threshold": 0.1}, signer=sign_with(key, own_id))
    report = log.verify(doc_id)
    assert not report.ok and report.rewritten == [3, 4] and report.key_ids == [trusted_id]
    assert f"record 3 (classify) is signed by key {own_id}, which is not trusted" in (
        report.problems[0])

    # Claiming the trusted key's id does not make the attacker's signature valid under it.
    forge(store, doc_id, 3, {"threshold": 0.2}, signer=sign_with(key, trusted_id))
    report = log.verify(doc_id)
    assert not report.ok and report.rewritten == [3, 4]
    assert f"does not carry a valid signature by key {trusted_id}" in report.problems[0]


def test_a_chain_rewritten_whole_without_signatures_or_cut_short_is_caught_by_the_anchor(
        store: Store, db_settings: Settings) -> None:
    doc_id = chain(store, db_settings)
    log = LineageLog.from_settings(db_settings, store.db)
    forge(store, doc_id, 1, {"threshold": 0.1}, drop_signatures=True)  # looks like old records
    report = log.verify(doc_id)
    assert not report.ok and 4 in report.rewritten
    assert any("anchored" in p and "rewritten" in p for p in report.problems)

    other = chain(store, db_settings, text="Invoice 8\nTotal 9.00")
    with store.db.session() as session:  # drop the last record, fix the head and the count
        last = session.get(LineageSignature, (other, 4))
        session.delete(last)
        session.delete(session.scalars(select(LineageRecord).where(
            LineageRecord.doc_id == other, LineageRecord.seq == 4)).one())
        third = session.scalars(select(LineageRecord).where(
            LineageRecord.doc_id == other, LineageRecord.seq == 3)).one()
        document = session.get(Document, other)
        document.lineage_head, document.lineage_count = third.hash, 3
    report = log.verify(other)
    assert not report.ok and any("cut short" in p for p in report.problems)


def test_a_rotated_key_still_verifies_older_records(store: Store, db_settings: Settings) -> None:
    doc_id = new_document(store, db_settings)
    log = LineageLog.from_settings(db_settings, store.db)
    log.append(doc_id, "ingest", {})
    key_file = db_settings.lineage_key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    [old_id] = log.verify(doc_id).key_ids
    assert (db_settings.lineage_trusted_keys_dir / f"{old_id}.pub").is_file()

    key_file.unlink()  # rotate: the retired private key is gone, its public key stays trusted
    log.append(doc_id, "ocr", {})
    LineageLog.from_settings(db_settings, store.db).append(doc_id, "classify", {})
    report = log.verify(doc_id)
    [_, new_id] = report.key_ids
    assert report.ok and new_id != old_id and report.key_ids == [old_id, new_id]
    assert [r["key_id"] for r in log.records(doc_id)] == [old_id, new_id, new_id]

    # Retiring a compromised key: what it signed is no longer vouched for.
    (db_settings.lineage_trusted_keys_dir / f"{old_id}.pub").unlink()
    report = log.verify(doc_id)
    assert not report.ok and report.rewritten == [1] and old_id in report.problems[0]


def test_a_key_from_settings_and_a_concurrent_first_use(tmp_path: Path,
                                                        db_settings: Settings) -> None:
    key_file = tmp_path / "keys" / "lineage.pem"
    settings = db_settings.model_copy(update={"lineage": db_settings.lineage.model_copy(
        update={"key_file": key_file})})
    store = Store.from_settings(settings)
    doc_id = chain(store, settings)
    first = key_file.read_bytes()
    _create_private_key(key_file)  # a second process losing the race keeps the first key
    assert key_file.read_bytes() == first
    assert LineageLog.from_settings(settings, store.db).verify(doc_id).ok
    store.db.dispose()


def test_unsigned_legacy_records_are_reported_as_unsigned_not_forged(
        store: Store, db_settings: Settings) -> None:
    doc_id = new_document(store, db_settings)
    with store.db.session() as session:  # what the code before signing wrote
        prev = GENESIS
        for seq, node in enumerate(("ingest", "ocr"), start=1):
            created_at, payload = f"2025-01-0{seq}T00:00:00+00:00", {"node": node}
            hash_ = record_hash(prev, doc_id, seq, node, created_at, payload)
            session.add(LineageRecord(doc_id=doc_id, seq=seq, node=node, created_at=created_at,
                                      payload=payload, prev_hash=prev, hash=hash_))
            prev = hash_
        document = session.get(Document, doc_id)
        document.lineage_head, document.lineage_count = prev, 2
    log = LineageLog.from_settings(db_settings, store.db)
    report = log.verify(doc_id)
    assert report.ok and report.unsigned == [1, 2] and report.problems == []
    assert report.key_ids == [] and report.rewritten == []

    log.append(doc_id, "classify", {})  # a new record is signed, and vouches for the old ones
    report = log.verify(doc_id)
    assert report.ok and report.unsigned == [1, 2] and len(report.key_ids) == 1

    forge(store, doc_id, 1, {"node": "forged"})
    report = log.verify(doc_id)
    assert not report.ok and report.rewritten == [3] and report.unsigned == [1, 2]
