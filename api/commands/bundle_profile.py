"""The reference profile part of `papertrail bundles show`: what the certification documents
looked like, signal by signal (classifiers/drift.py), the yardstick drift checks use."""

from __future__ import annotations

from rich.table import Table

from api.cli_support import console
from classifiers.bundle import BundleInfo
from classifiers.drift import Histogram

TOP_BINS = 3


def bins(hist: Histogram) -> list[tuple[str, float]]:
    """(bin name, share) per bin: `[lo, hi)` for numbers, the name for categories."""
    if hist.categories is not None:
        return list(zip(hist.categories, hist.shares, strict=True))
    edges = hist.edges or []
    names = [f"{lo:g}-{hi:g}" for lo, hi in zip(edges, edges[1:], strict=False)]
    names.append(f">={edges[-1]:g}" if edges else "all")
    return list(zip(names, hist.shares, strict=True))


def print_profile(info: BundleInfo) -> None:
    profile = info.profile
    if profile is None:
        console.print("[yellow]no reference profile: this bundle predates drift checks "
                      "(GET /drift says no_reference_profile); re-train it to get one.[/yellow]")
        return
    table = Table("signal", "documents", f"largest bins (top {TOP_BINS})",
                  title=f"reference profile: {profile.n} certification documents, gate passed "
                  f"{profile.gate_pass_share:.1%}")
    for name, hist in profile.signals.items():
        top = sorted(bins(hist), key=lambda b: b[1], reverse=True)[:TOP_BINS]
        table.add_row(name, str(hist.n),
                      ", ".join(f"{label} {share:.0%}" for label, share in top if share > 0))
    console.print(table)
