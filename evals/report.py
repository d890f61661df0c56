"""A self-contained HTML report: every plot embedded as a PNG data URI."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import matplotlib

from evals.metrics import KEY_FIELDS

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def confusion_plot(report: dict[str, Any]) -> str:
    labels, matrix = report["labels"], report["confusion_matrix"]
    size = max(4.0, 0.45 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value:
                ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                        color="white" if value > max(map(max, matrix)) / 2 else "black")
    ax.set_xlabel("predicted (classifier top-1)")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix")
    return _png(fig)


def reliability_plot(report: dict[str, Any]) -> str:
    bins = report["reliability"]
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.bar([b["confidence"] for b in bins], [b["accuracy"] for b in bins], width=0.08,
           alpha=0.7, label="accuracy per confidence bin")
    ax.set_xlabel("calibrated confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(f"Reliability (ECE {report['ece']:.3f})")
    ax.legend(fontsize=8)
    return _png(fig)


def risk_coverage_plot(report: dict[str, Any]) -> str:
    curve = report["risk_coverage"]
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot([p["coverage"] for p in curve], [p["precision"] for p in curve])
    for target, key in ((0.98, "coverage_at_98"), (0.99, "coverage_at_99")):
        ax.axhline(target, ls=":", color="grey")
        ax.annotate(f"{key}: {report[key]:.1%}", (report[key], target), fontsize=8)
    ax.set_xlabel("coverage (share auto-approved)")
    ax.set_ylabel("precision of the auto-approved")
    ax.set_title("Risk–coverage")
    return _png(fig)


def routing_plot(report: dict[str, Any]) -> str:
    routing = report["routing"]
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.barh(list(routing), list(routing.values()), color="#4c72b0")
    for i, (band, share) in enumerate(routing.items()):
        acc = report["accuracy_by_band"].get(band)
        ax.text(share, i, f" {share:.0%} (acc {acc:.0%})" if acc is not None else "",
                va="center", fontsize=8)
    ax.set_xlim(0, 1.2)
    ax.set_title("Routing by band")
    return _png(fig)


def latency_plot(report: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.hist([r["total_ms"] / 1000 for r in rows if r.get("total_ms")], bins=30, color="#55a868")
    ax.set_xlabel("seconds per document (end to end, OCR cached)")
    ax.set_ylabel("documents")
    ax.set_title("Latency")
    return _png(fig)


def worst_mistakes(rows: list[dict[str, Any]], n: int = 15) -> list[dict[str, Any]]:
    wrong = [r for r in rows if r.get("predicted") and r["predicted"] != r["truth"]]
    return sorted(wrong, key=lambda r: -r["confidence"])[:n]


def render_html(report: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    headline = ("accuracy", "macro_f1", "ece", "coverage_at_98", "coverage_at_99",
                "auto_precision", "auto_coverage", "final_accuracy", "docs_per_min")
    cells = "".join(f"<tr><th>{k}</th><td>{report[k]:.4f}</td></tr>" for k in headline)
    if report.get("fields_auto_precision") is not None:  # documents with ground-truth fields
        cells += (f"<tr><th>fields_auto_precision (key fields {', '.join(KEY_FIELDS)} all "
                  f"right, of {report['fields_auto_n']} auto-approved)</th>"
                  f"<td>{report['fields_auto_precision']:.4f}</td></tr>"
                  f"<tr><th>fields_auto_coverage</th>"
                  f"<td>{report['fields_auto_coverage']:.4f}</td></tr>")
    mistakes = "".join(
        f"<tr><td>{html.escape(r['truth'])}</td><td>{html.escape(str(r['predicted']))}</td>"
        f"<td>{r['confidence']:.3f}</td><td>{html.escape(str(r['band']))}</td>"
        f"<td><code>{html.escape(r['snippet'][:300])}</code></td></tr>"
        for r in worst_mistakes(rows)
    )
    fields = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{v['end_to_end']:.1%}</td>"
        f"<td>{v['given_true_type']:.1%}</td><td>{v['n']}</td></tr>"
        for name, v in report["fields"].items()
    )
    plots = [confusion_plot(report), reliability_plot(report), risk_coverage_plot(report),
             routing_plot(report), latency_plot(report, rows)]
    images = "".join(f'<img src="{p}" alt="plot">' for p in plots)
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>Papertrail evaluation — {html.escape(report['bundle_id'])}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;
text-align:left;vertical-align:top}}img{{margin:8px;max-width:560px}}code{{font-size:80%}}</style>
</head><body>
<h1>Papertrail evaluation</h1>
<p>{report['n_docs']} documents · bundle <code>{html.escape(report['bundle_id'])}</code></p>
<h2>Headline</h2><table>{cells}</table>
<h2>Plots</h2>{images}
<h2>Fields (exact match after normalisation)</h2>
<table><tr><th>field</th><th>end to end</th><th>given the true type</th><th>n</th></tr>
{fields}</table>
<h2>Worst mistakes (most confident wrong predictions)</h2>
<table><tr><th>true</th><th>predicted</th><th>confidence</th><th>band</th><th>text</th></tr>
{mistakes}</table>
</body></html>"""
