"""Request and response models of the HTTP API: the OpenAPI spec is generated from these."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from agent.lineage import VerifyReport
from agent.review import Action


class ErrorBody(BaseModel):
    """Every error: a stable code to branch on, and a message saying what to do."""

    error: str = Field(description="Stable error code, e.g. `file_too_large`, `forbidden`.")
    message: str = Field(description="What is wrong, the value seen, and what to do.")
    details: list[dict[str, Any]] | None = Field(None, description="Per-field problems (422).")


class UploadAccepted(BaseModel):
    id: str = Field(description="Document id: the sha256 of the uploaded bytes.")
    status: str = Field(description="Current status (received, processing, needs_review, ...).")
    created: bool = Field(description="False when the same bytes were uploaded before.")
    status_url: str = Field(description="Where to follow the document: GET this URL.")


class DecisionView(BaseModel):
    action: str = Field(description="auto_approved, approve, reject, relabel or edit.")
    label: str | None
    fields: dict[str, Any]
    decided_by: str
    band: str | None
    confidence: float | None
    created_at: AwareDatetime


class DocumentView(BaseModel):
    id: str
    filename: str
    detected_type: str
    page_count: int
    status: str = Field(description="received, processing, needs_review, approved, rejected, "
                        "failed.")
    error: str | None = None
    band: str | None = Field(None, description="confident, ambiguous, unreadable, ungrounded "
                             "(an LLM answered and was not trusted), escalated (policy sent it "
                             "to a person).")
    band_reason: str | None = None
    label: str | None = None
    confidence: float | None = Field(None, description="Calibrated probability of `label`.")
    fields: dict[str, Any] = Field(default_factory=dict)
    field_evidence: dict[str, Any] = Field(
        default_factory=dict, description="Per field: value, engine, page, bbox [left, top, "
        "width, height], word confidence, each source's value, agreement, checks, confidence "
        "0-1.")
    field_checks: list[dict[str, Any]] = Field(
        default_factory=list, description="Cross-field checks: name, passed (null = nothing to "
        "check against), fields, message.")
    rule_results: list[dict[str, Any]] = Field(default_factory=list)
    review_reasons: list[str] = Field(default_factory=list)
    decision: DecisionView | None = None
    queue_position: int | None = Field(
        None, description="While `received`: place among the documents waiting for a worker "
        "(1 = next); 0 while `processing`; null once processed.")
    estimated_wait_seconds: float | None = Field(
        None, description="While queued: position divided by the recent processing rate "
        "(null when nothing finished recently to measure it).")
    created_at: AwareDatetime
    updated_at: AwareDatetime


class DocumentPage(BaseModel):
    items: list[DocumentView] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at "
                                    "the end. A page may hold fewer than `limit` items and "
                                    "still have a next page (band/label filters).")


class LineageRecordView(BaseModel):
    seq: int
    node: str
    created_at: str
    hash: str
    prev_hash: str
    payload: dict[str, Any]
    key_id: str | None = Field(description="Key that signed the record; null for a record "
                               "written before lineage signing.")
    signature: str | None = Field(description="Base64 Ed25519 signature over `hash`.")


class LineageView(BaseModel):
    doc_id: str
    records: list[LineageRecordView]
    verify: VerifyReport


class ReviewItem(BaseModel):
    doc_id: str
    created_at: AwareDatetime
    age_seconds: float
    payload: dict[str, Any] = Field(description="What the reviewer needs: label, candidates, "
                                    "band and reason, fields, failed rules, LLM rationale, "
                                    "evidence, text snippet, allowed labels.")


class ReviewDecisionIn(BaseModel):
    """A decision. The reviewer is the API key's owner; it cannot be set here."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    label: str | None = Field(None, description="The new label, for `relabel`.")
    fields: dict[str, Any] | None = Field(None, description="Corrected fields, for `edit`.")
    note: str | None = Field(None, max_length=2000)


class ReviewOutcome(BaseModel):
    doc_id: str
    state: Literal["done", "queued"] = Field(
        description="`done`: the worker applied it (see `acted`); `queued`: still running.")
    acted: bool | None = Field(None, description="False when the review was already decided.")
    message: str
    status: str | None = Field(None, description="The document's status afterwards.")
    task_id: str | None = Field(None, description="The worker task; none for a QA second "
                                "look, which is recorded at once.")


class ComponentHealth(BaseModel):
    status: Literal["ok", "degraded", "error", "not_configured", "unknown"]
    detail: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    components: dict[str, ComponentHealth]


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for these error statuses, all with ErrorBody."""
    text = {400: "Bad request", 401: "No or unknown API key", 403: "Role not allowed",
            404: "Not found", 408: "Request body too slow", 409: "Conflict",
            413: "Body too large", 415: "Unsupported file type", 422: "Invalid input",
            429: "Queue full: wait the Retry-After header's seconds, then upload again",
            503: "Unavailable: storage, broker or configuration an operator must fix"}
    return {code: {"model": ErrorBody, "description": text.get(code, "Error")} for code in codes}
