"""`papertrail process | review | lineage` against a data folder with the tiny bundle active."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app
from evals import fixtures

runner = CliRunner()



@pytest.fixture
def doc(tmp_path: Path) -> Path:
    """An invoice dated in the future: a rule fails, so it always waits for a person."""
    lines = [line.replace("2026-03-14", "2099-01-01") for line in fixtures.INVOICE_LINES]
    path = tmp_path / "invoice.png"
    path.write_bytes(fixtures.png_bytes(lines))
    return path


def test_process_review_and_lineage_from_the_command_line(data_dir: Path, doc: Path) -> None:
    data = data_dir
    base = ["--data-dir", str(data)]

    processed = runner.invoke(app, [*base, "process", str(doc), "--json"])
    assert processed.exit_code == 0, processed.output
    [outcome] = json.loads(processed.stdout)
    assert outcome["status"] == "needs_review"
    doc_id = outcome["doc_id"]

    pending = json.loads(runner.invoke(app, [*base, "review", "list", "--json"]).stdout)
    assert [p["doc_id"] for p in pending] == [doc_id]

    approved = runner.invoke(app, [*base, "review", "approve", doc_id[:10], "-r", "dana"])
    assert approved.exit_code == 0 and "approve by dana" in approved.output
    again = runner.invoke(app, [*base, "review", "reject", doc_id[:10], "-r", "eve"])
    assert again.exit_code == 0 and "already decided by dana" in again.output

    verified = runner.invoke(app, [*base, "lineage", doc_id, "--verify"])
    assert verified.exit_code == 0 and "lineage intact" in verified.output
    records = json.loads(runner.invoke(app, [*base, "lineage", doc_id, "--json"]).stdout)
    assert records[-1]["node"] == "finalize" and records[-1]["payload"]["decided_by"] == "dana"

    engine = sa.create_engine(f"sqlite:///{data / 'papertrail.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM lineage_records WHERE node = 'classify'"))
    engine.dispose()
    tampered = runner.invoke(app, [*base, "lineage", doc_id, "--verify"])
    assert tampered.exit_code == 1 and "tampered" in tampered.output


def test_reviewed_decisions_export_as_training_rows(tmp_path: Path, data_dir: Path,
                                                     doc: Path) -> None:
    base = ["--data-dir", str(data_dir)]
    [outcome] = json.loads(runner.invoke(app, [*base, "process", str(doc), "--json"]).stdout)
    runner.invoke(app, [*base, "review", "relabel", outcome["doc_id"], "receipt"])
    exported = runner.invoke(app, [*base, "review", "export", "--out", str(tmp_path / "rows.csv")])
    assert exported.exit_code == 0, exported.output
    [header, row] = (tmp_path / "rows.csv").read_text().splitlines()
    path, label = row.split(",")
    assert header == "path,label" and label == "receipt"
    assert Path(path).read_bytes() == doc.read_bytes() and path.endswith(".png")
