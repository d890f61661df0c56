"""The auto-approve threshold of bundles written before certified gates (read, never written).

Those bundles fitted one threshold per model on a single validation split, with no bound on the
error of what passes it; `classifiers.gate` replaced them. Kept so such bundles still load and
say plainly that they are uncertified.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class AutoThreshold(BaseModel):
    """Where an old bundle cut calibrated top-1 confidence, and what it measured there."""

    threshold: float = Field(description="Approve automatically when confidence >= this.")
    target_precision: float
    precision: float | None = Field(description="Precision of the approved validation subset.")
    coverage: float = Field(description="Share of validation documents auto-approved.")
    reached: bool = Field(description="False when no threshold reached the target precision.")
    n: int = Field(description="Validation documents it was fitted on.")
    note: str = ""
