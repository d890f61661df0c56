"""How fast can the local LLM adjudicate an escalated document? (issue 17, point 4)

The escalated band of `benchmarks/adjudication.py` (same corpus, split, stand-in classifier and
exemplars), then the first `--limit` escalated documents through the real Adjudicator once per
*variant*: one lever changed at a time (prompt layout for prefix caching, exemplar snippets,
number of shots, document characters, server threads and batch, logits of prompt tokens, model).
Each variant gets a fresh server; all run in one process, one after another, so compare them
as ratios, with the load average printed beside each. Accuracy (acc|dec) and coverage of the
`llm` policy are printed beside latency: a faster prompt that decides worse is not a win.
`eval tok` is what the server evaluated per document after reusing the cached prompt prefix
(from its log), `prompt tok` the whole prompt.

    python benchmarks/adjudication_latency.py --data ../shared/data/tobacco3482-text \\
        --max-docs 1500 --limit 40 --variants before,after
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from adjudication import pct, retrieve, stand_in_split, summarize, text_reader  # noqa: E402

from agent.adjudication.adjudicator import Adjudicator  # noqa: E402
from agent.adjudication.templates import load_template  # noqa: E402
from agent.llm.models import packaged_model  # noqa: E402
from agent.llm.server import LocalLlmServer  # noqa: E402
from agent.settings import Settings  # noqa: E402
from retrieval.label_guidance import load_label_guidance  # noqa: E402


@dataclass(frozen=True)
class Variant:
    """One configuration of model, server and prompt."""

    model: str = "gemma3-270m"
    template: str = "fewshot_completion_v1"
    shots: int = 4
    snippet_chars: int = 160
    doc_chars: int = 600
    n_threads: int = 2
    n_batch: int = 512
    logits_all: bool = True  # llama-cpp-python's server default
    flash_attn: bool = False
    limit: int = 0  # documents for this variant (0: --limit); answers are deterministic, so a
    # slow variant may time fewer documents when a faster one with the same prompt has them all


BEFORE = Variant()  # what docs/benchmarks.md measured before issue 17
VARIANTS: dict[str, Variant] = {
    "before": BEFORE,
    "no-logits": replace(BEFORE, logits_all=False),
    "prefix": replace(BEFORE, logits_all=False, template="fewshot_completion_v2"),
    "prefix-snip100": replace(BEFORE, logits_all=False, template="fewshot_completion_v2",
                              snippet_chars=100),
    "prefix-k3": replace(BEFORE, logits_all=False, template="fewshot_completion_v2", shots=3),
    "prefix-doc400": replace(BEFORE, logits_all=False, template="fewshot_completion_v2",
                             doc_chars=400),
    "prefix-t1": replace(BEFORE, logits_all=False, template="fewshot_completion_v2", n_threads=1),
    "prefix-b128": replace(BEFORE, logits_all=False, template="fewshot_completion_v2",
                           n_batch=128),
    "prefix-smollm2": replace(BEFORE, logits_all=False, template="fewshot_completion_v2",
                              model="smollm2-135m"),
    "v1-smollm2": replace(BEFORE, logits_all=False, model="smollm2-135m"),
    "short": replace(BEFORE, logits_all=False, template="fewshot_completion_v2", shots=3,
                     snippet_chars=100, doc_chars=400),
}  # fmt: skip
VARIANTS["short-t1"] = replace(VARIANTS["short"], n_threads=1)
VARIANTS["v1-short"] = replace(VARIANTS["short"], template="fewshot_completion_v1")
VARIANTS["v1-short-t1"] = replace(VARIANTS["v1-short"], n_threads=1)
VARIANTS["short-smollm2"] = replace(VARIANTS["short"], model="smollm2-135m")

_PREFIX_HIT = re.compile(r"(\d+) prefix-match hit, remaining (\d+) prompt tokens")


def parse_variant(spec: str) -> tuple[str, Variant]:
    """A preset name, optionally with overrides: `prefix:shots=3,doc_chars=400`."""
    name, _, overrides = spec.partition(":")
    variant = VARIANTS[name]
    for item in filter(None, overrides.split(",")):
        key, _, value = item.partition("=")
        kind = type(getattr(variant, key))
        variant = replace(variant, **{key: value == "True" if kind is bool else kind(value)})
    return spec, variant


def run_variant(name: str, v: Variant, band: dict, bench: Settings, guidance, limit: int) -> dict:
    packaged = packaged_model(v.model)
    gguf = packaged.path(ROOT / "var" / "models")
    log = bench.resolved_data_dir / f"latency-{name.replace(':', '_')}.log"
    log.unlink(missing_ok=True)
    load_before = os.getloadavg()[0]
    server = LocalLlmServer(packaged, gguf, n_ctx=2048, n_threads=v.n_threads, n_batch=v.n_batch,
                            logits_all=v.logits_all, flash_attn=v.flash_attn,
                            log_file=log)  # fmt: skip
    with server:
        cfg = bench.llm.model_copy(update={
            "base_url": server.base_url, "model": v.model, "mode": "completion", "policy": "llm",
            "timeout": 90.0, "max_tokens": 16, "max_doc_chars": v.doc_chars, "shots": v.shots,
            "snippet_chars": v.snippet_chars,
        })  # fmt: skip
        adjudicator = Adjudicator(cfg, guidance=guidance, template=load_template(v.template))
        results, cpu = [], []
        pid = server._proc.pid if server._proc else None
        for text, pred, hits in list(zip(band["text"], band["preds"], band["hits"],
                                         strict=True))[:limit]:  # fmt: skip
            before = cpu_seconds(pid)
            results.append(adjudicator.adjudicate(text, pred, hits))
            cpu.append(cpu_seconds(pid) - before)
            print(f"  {name}: {len(results)}/{limit}", end="\r", flush=True)
    print()
    truth = band["truth"][:limit]
    lat = [r.record.latency_ms for r in results if r.record and r.record.raw_answer is not None]
    prompt_tok = [r.record.prompt_tokens for r in results if r.record and r.record.prompt_tokens]
    evaluated = [int(m[1]) for m in _PREFIX_HIT.findall(log.read_text(errors="replace"))]
    labels = [r.answer.label if r.status == "grounded" else None for r in results]
    labels = [None if x == "unknown" else x for x in labels]
    row = summarize(name, labels, truth, {
        "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95), "max_ms": max(lat, default=None),
        "cpu_s_p50": pct(cpu, 50), "cpu_s_p95": pct(cpu, 95),
        "prompt_tokens": statistics.mean(prompt_tok) if prompt_tok else None,
        "evaluated_tokens": statistics.mean(evaluated) if evaluated else None,
        "prefix_hits": len(evaluated), "ungrounded": sum(r.status == "ungrounded" for r in results),
        "load_before": load_before, "load_after": os.getloadavg()[0], "variant": asdict(v),
        "answers": [r.answer.label if r.answer else None for r in results],
        "per_document": [{"ms": r.record.latency_ms, "prompt_tokens": r.record.prompt_tokens}
                         if r.record else None for r in results],
    })  # fmt: skip
    print(f"  -> {fmt_row(row)}")
    return row


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) the server process has used: unlike wall time, it does not grow
    when other jobs share the cores, so it compares variants run under different loads."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fmt_row(r: dict) -> str:
    def f(x, spec):
        return format(x, spec) if x is not None else "-"

    return (f"{r['policy']:34} {r['n']:>3} {f(r['coverage'], '5.2f')} "
            f"{f(r['accuracy_decided'], '7.3f')} {f(r['accuracy_all'], '7.3f')} "
            f"{f(r['p50_ms'] and r['p50_ms'] / 1000, '6.2f')} "
            f"{f(r['p95_ms'] and r['p95_ms'] / 1000, '6.2f')} "
            f"{f(r['cpu_s_p50'], '6.2f')} {f(r['cpu_s_p95'], '6.2f')} "
            f"{f(r['prompt_tokens'], '6.0f')} {f(r['evaluated_tokens'], '6.0f')} "
            f"{r['load_before']:5.2f} {r['load_after']:5.2f}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/tobacco3482-text")
    ap.add_argument("--max-docs", type=int, default=1500, help="stratified subsample first")
    ap.add_argument("--test-fraction", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--target", type=float, default=0.9, help="accuracy of the confident band")
    ap.add_argument("--k", type=int, default=4, help="exemplars retrieved")
    ap.add_argument("--limit", type=int, default=40, help="escalated docs per variant")
    ap.add_argument("--variants", default="before,prefix", help=f"of {', '.join(VARIANTS)}; "
                    "overrides as name:key=value,key=value")  # fmt: skip
    ap.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    ap.add_argument("--only-cached-text", action="store_true")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    variants = [parse_variant(spec) for spec in args.variants.split(";" if ";" in args.variants
                                                                    else ",")]  # fmt: skip

    settings = Settings(data_dir=ROOT / "var")
    train_p, train_y, train_text, test_y, test_text, preds, threshold, info = stand_in_split(
        args, settings, text_reader(settings))
    escalated = [i for i, p in enumerate(preds) if p.confidence < threshold]
    print(f"{info['kind']}: {len(escalated)}/{len(preds)} escalated (threshold {threshold:.3f})")
    bench = Settings(data_dir=args.workdir / args.data.name)
    all_hits, embedding = retrieve(args, bench, train_p, train_y, train_text, test_text)
    band = {"text": [test_text[i] for i in escalated], "preds": [preds[i] for i in escalated],
            "hits": [all_hits[i] for i in escalated], "truth": [test_y[i] for i in escalated]}
    guidance = load_label_guidance()
    n = min(args.limit, len(escalated))
    rows = [summarize(f"(a) classifier top-1 [first {n}]",
                      [p.label for p in band["preds"][:n]], band["truth"][:n])]  # fmt: skip
    print(f"{rows[0]['policy']}: acc {rows[0]['accuracy_all']:.3f}")
    started = time.time()
    for name, variant in variants:
        rows.append(run_variant(name, variant, band, bench, guidance,
                                min(variant.limit or n, n)))
    print(f"\n{'variant':34} {'n':>3} {'cov':>5} {'acc|dec':>7} {'acc|all':>7} {'p50 s':>6} "
          f"{'p95 s':>6} {'cpu50':>6} {'cpu95':>6} {'prompt':>6} {'eval':>6} {'load0':>5} "
          f"{'load1':>5}")  # fmt: skip
    for r in rows[1:]:
        print(fmt_row(r))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"adjudication-latency-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps({
        "args": {k: str(v) for k, v in vars(args).items()}, "cpus": os.cpu_count(),
        "classifier": {**info, "escalated": len(escalated)}, "embedding": embedding,
        "seconds": time.time() - started, "table": rows,
    }, indent=2))  # fmt: skip
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
