"""What every classifier returns: the contract the graph, the adjudicator and the harness read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Prediction(BaseModel):
    """One document's classification with calibrated probabilities for every class."""

    label: str = Field(description="Top-1 label.")
    probabilities: dict[str, float] = Field(
        description="Calibrated probability for every class in the bundle's label set; sums to 1."
    )
    bundle_id: str = Field(description="Id of the bundle that answered (its manifest hash).")
    model: Literal["bert", "baseline", "ensemble"] = Field(
        description="Which model inside the bundle answered ('ensemble' = every member of the "
        "bundle blended; 'baseline' = the fallback)."
    )
    fallback_reason: str | None = Field(
        None, description="Why the baseline answered instead of BERT, when it did."
    )
    latency_ms: float = 0.0
    auto_threshold: float | None = Field(
        None, description="The auto-approve threshold of this prediction's gate cell: "
        "confidence >= it means 'confident'. Above 1.0 means nothing auto-approves."
    )
    gate_cell: str | None = Field(
        None, description="The cell of the bundle's certified gate this prediction fell in "
        "(e.g. 'all', 'ocr_low', 'class:invoice'); 'uncertified' for bundles before gates."
    )
    certified: bool = Field(
        False, description="True when `auto_threshold` is certified (a bound on the error of "
        "what passes it holds at the bundle's delta)."
    )

    @property
    def confidence(self) -> float:
        return self.probabilities[self.label]

    def top_k(self, k: int = 3) -> list[tuple[str, float]]:
        return sorted(self.probabilities.items(), key=lambda kv: kv[1], reverse=True)[:k]
