"""`papertrail index --data DIR` seeds exemplars, idempotently; label guidance stays in its YAML."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agent.settings import Settings
from api.cli import app
from retrieval.index import ExemplarIndex


@pytest.mark.slow
def test_index_command_seeds_exemplars_idempotently(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    for label, texts in {"invoice": ["Invoice 1 total due", "Invoice 2 amount"],
                         "memo": ["MEMO to staff re parking"]}.items():  # fmt: skip
        (corpus / label).mkdir(parents=True)
        for i, text in enumerate(texts):
            (corpus / label / f"{i}.txt").write_text(text)
    monkeypatch.setenv("PAPERTRAIL_DATA_DIR", str(tmp_path / "data"))
    for _ in range(2):
        result = CliRunner().invoke(app, ["index", "--data", str(corpus)])
        assert result.exit_code == 0, result.output
        assert "Indexed 3 exemplars" in result.output
    with ExemplarIndex(Settings(data_dir=tmp_path / "data")) as idx:
        assert idx.count() == 3
        assert idx.count(label="invoice") == 2
        assert not idx._client.collection_exists("policies")  # nothing would read it
        assert idx.search("parking memo", k=1)[0].label == "memo"
