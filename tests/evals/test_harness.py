"""The eval harness end to end on generated documents, with the tiny bundle trained in-session."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from classifiers.bundle import Registry
from evals.datasets import load_dataset
from evals.oracle import oracle_decision
from evals.samples import generate

REQUIRED_KEYS = ("accuracy", "macro_f1", "ece", "coverage_at_98", "coverage_at_99",
                 "auto_precision", "routing", "accuracy_by_band", "llm", "fields", "latency_ms",
                 "docs_per_min", "tokens", "n_docs", "bundle_id", "per_class", "confusion_matrix")


def test_oracle_relabels_then_fixes_fields_then_approves() -> None:
    payload = {"label": "invoice", "fields": {"total": "12.50", "date": "2026-01-02"}}
    assert oracle_decision(payload, "receipt", None).model_dump(exclude_none=True) == {
        "action": "relabel", "label": "receipt", "reviewer": "oracle"}
    edit = oracle_decision(payload, "invoice", {"total": "RM 13.00", "date": "02/01/2026"})
    assert edit.action == "edit" and edit.fields == {"total": "13.00"}  # the date matched
    assert oracle_decision(payload, "invoice", {"total": "12.5"}).action == "approve"


def test_sroie_style_folder_is_receipts_with_fields(tmp_path: Path) -> None:
    samples = generate(tmp_path / "gen", n_per_class=2, seed=4, classes=("receipt",),
                       formats=("png",))
    (tmp_path / "sroie" / "img").mkdir(parents=True)
    (tmp_path / "sroie" / "key").mkdir()
    for i, sample in enumerate(samples):
        png = next(p for p in sample.files if p.suffix == ".png")
        shutil.copy(png, tmp_path / "sroie" / "img" / f"{i:03d}.png")
        truth = {"company": sample.fields["merchant"], "total": str(sample.fields["total"])}
        (tmp_path / "sroie" / "key" / f"{i:03d}.json").write_text(json.dumps(truth))
    items = load_dataset(tmp_path / "sroie")
    assert [i.label for i in items] == ["receipt", "receipt"]
    assert items[0].fields == {"vendor": samples[0].fields["merchant"],
                               "total": str(samples[0].fields["total"])}


def test_a_generated_sample_is_one_eval_item(tmp_path: Path) -> None:
    samples = generate(tmp_path, n_per_class=2, seed=3, classes=("invoice", "memo"),
                       formats=("png", "pdf", "txt"))
    items = load_dataset(tmp_path)
    assert len(items) == len(samples) == 4
    assert [(i.path.suffix, i.label) for i in items] == [(".txt", "invoice")] * 2 + [
        (".txt", "memo")] * 2


def test_csv_labels_are_used_as_written(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"")
    (tmp_path / "labels.csv").write_text("path,label\na.png,Invoice\n")
    assert [(i.path, i.label) for i in load_dataset(tmp_path / "labels.csv")] == [
        (tmp_path / "a.png", "Invoice")]


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs).get("src") or "")


@pytest.fixture
def eval_data(tmp_path: Path) -> Path:
    generate(tmp_path / "docs", n_per_class=2, seed=77,
             classes=("invoice", "receipt", "letter"), formats=("png",))
    return tmp_path / "docs"


def test_eval_runs_reports_and_resumes(tmp_path: Path, eval_data: Path,
                                       bundle: tuple[Registry, str]) -> None:
    registry, bundle_id = bundle
    out = tmp_path / "run"
    args = ["--data-dir", str(tmp_path / "var"), "eval", "--data", str(eval_data),
            "--out", str(out), "--bundle", str(registry.path(bundle_id)), "--no-llm"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    report = json.loads((out / "report.json").read_text())
    assert all(key in report for key in REQUIRED_KEYS)
    assert report["n_docs"] == 6 and report["bundle_id"] == bundle_id
    assert sum(report["routing"].values()) == pytest.approx(1.0)
    assert sum(map(sum, report["confusion_matrix"])) == 6
    assert report["latency_ms"]["end_to_end"]["n"] == 6 and "ocr" in report["latency_ms"]
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert all(r["final_label"] == r["truth"] for r in rows)  # the oracle fixed every mistake
    parser = _Images()
    parser.feed((out / "report.html").read_text())
    assert len(parser.sources) == 5
    assert all(src.startswith("data:image/png;base64,") and len(src) > 1000
               for src in parser.sources)
    # A second run over the same folder finds every document done and runs nothing again.
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert len((out / "results.jsonl").read_text().splitlines()) == 6


def test_compare_command_gates(tmp_path: Path) -> None:
    base = {"accuracy": 0.9, "macro_f1": 0.9, "coverage_at_98": 0.5, "coverage_at_99": 0.4,
            "auto_precision": 0.99, "ece": 0.02, "final_accuracy": 1.0, "docs_per_min": 10}
    (tmp_path / "old.json").write_text(json.dumps(base))
    (tmp_path / "same.json").write_text(json.dumps(base))
    (tmp_path / "worse.json").write_text(json.dumps({**base, "auto_precision": 0.95}))
    runner = CliRunner()
    same = runner.invoke(app, ["eval", "compare", str(tmp_path / "old.json"),
                               str(tmp_path / "same.json")])
    assert same.exit_code == 0 and "gate passed" in same.output
    worse = runner.invoke(app, ["eval", "compare", str(tmp_path / "old.json"),
                                str(tmp_path / "worse.json"), "--max-drop", "0.01"])
    assert worse.exit_code == 1 and "REGRESSED" in worse.output
