"""Settings of the drift checks (agent/drift.py, docs/drift.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DriftSettings(BaseSettings):
    """Drift checks: recent documents against the active bundle's reference profile."""

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_DRIFT_", extra="ignore")

    window: int = Field(200, ge=10, description="Most recent classified documents (of the "
                        "active bundle) compared with its reference profile.")
    min_documents: int = Field(
        100, ge=10, description="Fewer recent documents than this: no verdict. With ~10 bins "
        "the PSI of n documents drawn like the reference is about 9/n from sampling noise "
        "alone (0.18 at 50, 0.09 at 100).")
    psi_threshold: float = Field(
        0.25, gt=0, description="Population-stability index above which a signal has drifted "
        "(0.25 is the conventional 'major shift'; see docs/drift.md).")
    action: Literal["alert", "suspend"] = Field(
        "alert", description="`alert`: report drift (GET /drift, /metrics). `suspend`: also "
        "send every document to a person (no auto-approval) until an admin acknowledges it "
        "with POST /drift/ack.")
    precision_window: int = Field(
        500, ge=1, description="Most recent reviewed auto-approvals (QA second looks and other "
        "reviews of auto-approved documents) the live precision of auto-approvals is "
        "estimated on, per bundle.")
    cache_seconds: float = Field(
        30.0, ge=0, description="A drift verdict is reused this long by each process (the "
        "check reads the database).")
