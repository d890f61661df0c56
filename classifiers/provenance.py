"""What a bundle was trained on, kept in its bundle.json so a retrained candidate says where its
extra rows came from (docs/lifecycle.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class TrainedOn(BaseModel):
    sources: list[str] = Field(default_factory=list,
                               description="Corpus sources as given (folders or CSVs).")
    label_map: str | None = Field(None, description="Label map file applied to the corpus.")
    corpus_documents: int = Field(0, description="Documents read from the corpus sources.")
    corpus_hash: str | None = Field(None, description="Content hash of the corpus alone.")
    reviewed_documents: int = Field(0, description="Reviewed decisions added as rows.")
    relabels: int = Field(0, description="Of those, how many a person relabelled.")
    confirmations: int = Field(0, description="Of those, how many a person confirmed.")
    replaced_corpus_rows: int = Field(
        0, description="Corpus rows whose text a reviewed document repeated: the reviewed "
        "label replaced them.")
    skipped_reviews: dict[str, int] = Field(
        default_factory=dict, description="Reviewed documents left out, per reason (e.g. "
        "their OCR is not in the cache: retraining never re-OCRs).")
    reviewed_through: datetime | None = Field(
        None, description="Time of the newest review included.")
    last_review_doc_id: str | None = Field(None, description="Document of that review.")
    parent_bundle: str | None = Field(None, description="The active bundle when retrained.")
    ocr_engine: dict[str, Any] | None = Field(
        None, description="The OCR engine (name, version, options) that read the corpus's "
        "scans: the gate was certified on its readings. None in older bundles.")
