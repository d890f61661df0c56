"""`papertrail index --data DIR` seeds exemplars, idempotently; label guidance stays in its YAML."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agent.settings import Settings
from api.cli import app
from evals.samples import generate
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
    settings = Settings(data_dir=tmp_path / "data")
    with ExemplarIndex(settings.retrieval, settings.index_dir) as idx:
        assert idx.count() == 3
        assert idx.count(label="invoice") == 2
        assert not idx._client.collection_exists("policies")  # nothing would read it
        assert idx.search("parking memo", k=1)[0].label == "memo"


@pytest.mark.slow
def test_index_command_counts_a_generated_sample_once(tmp_path, monkeypatch):
    samples = generate(tmp_path / "corpus", n_per_class=2, seed=3, classes=("invoice", "memo"),
                       formats=("png", "pdf"))  # + the .json ground truth per sample
    monkeypatch.setenv("PAPERTRAIL_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["index", "--data", str(tmp_path / "corpus")])
    assert result.exit_code == 0, result.output
    assert f"Indexed {len(samples)} exemplars" in result.output
    settings = Settings(data_dir=tmp_path / "data")
    with ExemplarIndex(settings.retrieval, settings.index_dir) as idx:
        assert idx.count() == 4 and idx.count(label="memo") == 2
        [hit] = idx.search(samples[0].text, k=1)
        assert hit.label == "invoice" and "INVOICE" in hit.text.upper()  # the PDF's text layer
