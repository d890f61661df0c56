"""The `papertrail` command line: ingest, ocr, documents; each run confined to its data folder."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from evals import fixtures

runner = CliRunner()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_ocr_json_prints_each_page(tmp_path: Path) -> None:
    scan = _write(tmp_path, "fax.tiff", fixtures.tiff_bytes([fixtures.INVOICE_LINES, ["Page two"]]))
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "var"), "ocr", str(scan), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [p["page"] for p in payload["pages"]] == [1, 2]
    assert "INV-20417" in payload["pages"][0]["text"]
    assert payload["pages"][0]["confidence"] > 80


def test_ocr_human_output_shows_confidence(tmp_path: Path) -> None:
    pdf = _write(tmp_path, "digital.pdf", fixtures.text_pdf_bytes([fixtures.INVOICE_LINES]))
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "var"), "ocr", str(pdf)])
    assert result.exit_code == 0, result.output
    assert "text_layer" in result.output and "confidence 100.0" in result.output
    assert "Total due: EUR 1165.50" in result.output


def test_ocr_human_output_says_a_page_was_upscaled(tmp_path: Path) -> None:
    image = fixtures.render_page(["Purchase order 5531"], size=(620, 877), font_px=16)
    path = tmp_path / "small.png"
    image.save(path)
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "var"), "ocr", str(path)])
    assert result.exit_code == 0, result.output
    assert "upscaled ×2 from ~80 dpi" in result.output and "5531" in result.output


def test_rejected_file_exits_2_with_the_reason(tmp_path: Path) -> None:
    bad = _write(tmp_path, "notes.txt", "café".encode("latin-1"))
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "var"), "ingest", str(bad)])
    assert result.exit_code == 2
    assert "text_not_utf8" in result.output and "not valid UTF-8" in result.output


def test_data_folders_do_not_share_state(tmp_path: Path, monkeypatch) -> None:
    doc = _write(tmp_path, "invoice.png", fixtures.png_bytes())
    first, second = tmp_path / "one", tmp_path / "two"
    assert runner.invoke(app, ["--data-dir", str(first), "ingest", str(doc)]).exit_code == 0
    listed = runner.invoke(app, ["--data-dir", str(first), "documents", "list", "--json"])
    assert [d["filename"] for d in json.loads(listed.output)] == ["invoice.png"]
    monkeypatch.setenv("PAPERTRAIL_DATA_DIR", str(second))  # the env var works like the flag
    empty = runner.invoke(app, ["documents", "list", "--json"])
    assert json.loads(empty.output) == []
    assert (first / "papertrail.db").exists() and (second / "papertrail.db").exists()
    assert not (second / "blobs").exists()


def test_documents_show_unknown_id_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "documents", "show", "abc"])
    assert result.exit_code == 2 and "No document with id 'abc'" in result.output
