"""The train, bundles and samples commands, end to end on generated text documents."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from api import cli_support
from api.commands import bundles, samples, train

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:  # a group, like the real CLI
        pass

    for module in (train, bundles, samples):
        module.register(app)
    return app


def test_generate_train_list_show_activate(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_DATA_DIR", str(tmp_path / "var"))
    cli_support.set_overrides(None)
    app = _app()
    docs = tmp_path / "docs"
    result = runner.invoke(app, ["samples", "generate", "--out", str(docs), "--n-per-class", "4",
                                 "--formats", "txt", "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert "wrote 32 documents" in result.output

    result = runner.invoke(app, ["bundles", "list"])
    assert result.exit_code == 0 and "no bundles" in result.output

    result = runner.invoke(app, ["train", "--data", str(docs), "--baseline-only"])
    assert result.exit_code == 0, result.output
    registry_root = tmp_path / "var" / "bundles"
    (bundle_id,) = [p.name for p in registry_root.iterdir() if not p.name.startswith(".")
                    and p.is_dir()]
    assert "is active" in result.output and (registry_root / "ACTIVE").read_text().strip() == \
        bundle_id

    result = runner.invoke(app, ["bundles", "list"])
    assert result.exit_code == 0 and bundle_id in result.output and "baseline" in result.output
    result = runner.invoke(app, ["bundles", "show", bundle_id[:8]])
    assert result.exit_code == 0 and "verified      yes" in result.output
    assert "read by       tesseract" in result.output and "binding=api" in result.output
    result = runner.invoke(app, ["bundles", "activate", bundle_id])
    assert result.exit_code == 0 and bundle_id in result.output
    result = runner.invoke(app, ["bundles", "activate", "0000"])
    assert result.exit_code == 2 and "No bundle" in result.output


def test_train_reports_a_bad_corpus(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_DATA_DIR", str(tmp_path / "var"))
    cli_support.set_overrides(None)
    result = runner.invoke(_app(), ["train", "--data", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "corpus_error" in result.output
    assert "does not exist" in " ".join(result.output.split())
