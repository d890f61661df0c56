"""POST /documents, GET /documents, GET /documents/{id}, GET /documents/{id}/lineage."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile as FormFile

from agent.errors import IngestError, InvalidFilenameError
from agent.ingest import ingest_bytes
from agent.lineage import LineageLog
from agent.state import Band
from agent.store import Document, DocumentStatus
from api.app_resources import AppResources
from api.auth import AsSubmitter, Principal, Role
from api.document_list import ListQuery, page
from api.errors import status_for
from api.guard import takes_upload
from api.schemas import (
    DecisionView,
    DocumentPage,
    DocumentView,
    LineageRecordView,
    LineageView,
    UploadAccepted,
    errors,
)

log = logging.getLogger(__name__)
router = APIRouter(tags=["documents"])

REQUEUE = (DocumentStatus.RECEIVED, DocumentStatus.FAILED)


def _state(request: Request) -> AppResources:
    return request.app.state.papertrail


def ingest_error_status(exc: IngestError) -> int:
    return 400 if isinstance(exc, InvalidFilenameError) else status_for(exc)


async def one_file(request: Request) -> None:
    """Refuse a form with several files: one would be dropped without a word."""
    form = await request.form()  # already parsed for the `file` parameter: no second read
    names = [name for name, value in form.multi_items() if isinstance(value, FormFile)]
    if len(names) > 1:
        raise HTTPException(400, detail={"error": "multiple_files", "message": (
            f"The request has {len(names)} file parts ({', '.join(names)}); send one document "
            "per request, as the part named 'file'.")})


@router.post("/documents", status_code=202, response_model=UploadAccepted,
             responses=errors(400, 401, 403, 408, 413, 415, 422, 429, 503))
@takes_upload
def upload(request: Request, who: AsSubmitter, _: Annotated[None, Depends(one_file)],
           file: UploadFile = File(..., description="The document.")) -> JSONResponse:
    """Upload a document (PDF, image, text). Processing starts in the background; follow
    `status_url`. The same bytes again return the same id (and queue it again if it was never
    processed). When too many documents wait (PAPERTRAIL_API_MAX_QUEUED, or _PER_KEY for this
    key's owner), answers 429 `queue_full` with Retry-After and stores nothing."""
    state = _state(request)
    data = file.file.read(state.settings.max_upload_bytes + 1)
    known = state.store.documents.get(hashlib.sha256(data).hexdigest())
    if known is None or known.status == DocumentStatus.FAILED:  # it would join the queue
        state.queue.admit(who.owner)
    try:
        result = ingest_bytes(data, file.filename or "", state.store, state.settings)
    except IngestError as exc:
        raise HTTPException(ingest_error_status(exc), detail=exc.to_dict()) from None
    document = result.document
    state.submissions.record(document.id, who.owner)
    if document.status == DocumentStatus.FAILED:  # queued again: no longer failed
        state.store.documents.set_status(document.id, DocumentStatus.RECEIVED)
        document.status, document.error = DocumentStatus.RECEIVED, None
    if result.created or document.status in REQUEUE:
        _enqueue(state, document.id)
    url = state.settings.api.resolved_public_url + request.app.url_path_for(
        "get_document", doc_id=document.id)
    body = UploadAccepted(id=document.id, status=document.status, created=result.created,
                          status_url=url)
    return JSONResponse(body.model_dump(), status_code=202, headers={"Location": url})


def _enqueue(state: AppResources, doc_id: str) -> None:
    try:
        state.enqueue_process(doc_id)
    except Exception as exc:  # any broker failure (kombu, redis-py, Celery's own RuntimeError)
        log.warning("could not queue %s: %s: %s", doc_id, type(exc).__name__, exc)
        raise HTTPException(503, detail={"error": "queue_unavailable", "message": (
            f"Document {doc_id} was stored but could not be queued ({type(exc).__name__}: "
            f"{exc}). An operator must make the broker reachable "
            "(PAPERTRAIL_WORKER_BROKER_URL); then upload the same file again, which queues "
            "it.")}) from exc


def readable_document(state: AppResources, doc_id: str, who: Principal):  # noqa: ANN201
    """The document row, if it exists and this caller may read it (404 otherwise)."""
    document = state.store.documents.get(doc_id)
    if document is None or (who.role < Role.reviewer
                            and not state.submissions.submitted_by(doc_id, who.owner)):
        raise HTTPException(404, detail={"error": "document_not_found", "message": (
            f"No document {doc_id!r} that you may read. Ids are the sha256 of the bytes; "
            "submitters see only what they uploaded.")})
    return document


@router.get("/documents", response_model=DocumentPage, responses=errors(401, 403, 422))
def list_documents(
    request: Request, who: AsSubmitter,
    status: Annotated[DocumentStatus | None, Query(description="Only this status.")] = None,
    band: Annotated[Band | None, Query(description="Only this routing band.")] = None,
    label: Annotated[str | None, Query(max_length=64, description="Only this document type "
                                       "(as currently decided).")] = None,
    since: Annotated[datetime | None, Query(description="Only documents created at or after "
                                            "this ISO 8601 date-time (UTC when it has no "
                                            "offset).")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Most items per page.")] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the "
                                        "previous page.")] = None,
) -> DocumentPage:
    """Documents, newest first, one page at a time. Submitters see only what they uploaded;
    reviewers and admins see every document."""
    state = _state(request)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    query = ListQuery(status=status, since=since,
                      submitter=who.owner if who.role < Role.reviewer else None)

    def item(document: Document) -> DocumentView | None:
        view = document_view(state, document)
        if (band and view.band != band) or (label and view.label != label):
            return None
        return view

    items, next_cursor = page(state.store.db, query, limit, cursor, item)
    return DocumentPage(items=items, next_cursor=next_cursor)


@router.get("/documents/{doc_id}", response_model=DocumentView, name="get_document",
            responses=errors(401, 403, 404))
def get_document(request: Request, doc_id: str,
                 who: AsSubmitter) -> DocumentView:
    """Status, band, label, confidence, fields, rule results and the final decision; while
    queued, the place in the queue and the estimated wait."""
    state = _state(request)
    return document_view(state, readable_document(state, doc_id, who))


def document_view(state: AppResources, document: Document) -> DocumentView:
    """The row, its final decision, what its graph state says (band, label, fields...) and,
    while queued, its place in the queue."""
    graph = state.states.current(document.id)
    decision = state.store.decisions.get(document.id)
    place = state.queue.place(document)
    view = DocumentView(
        queue_position=place.position, estimated_wait_seconds=place.estimated_wait_seconds,
        id=document.id, filename=document.filename, detected_type=document.detected_type,
        page_count=document.page_count, status=document.status, error=document.error,
        created_at=document.created_at, updated_at=document.updated_at,
        decision=DecisionView.model_validate(decision, from_attributes=True) if decision
        else None)
    if graph is not None:
        probabilities = (graph.prediction or {}).get("probabilities", {})
        view = view.model_copy(update={
            "band": graph.band, "band_reason": graph.band_reason or None, "label": graph.label,
            "confidence": probabilities.get(graph.label or ""), "fields": graph.fields,
            "field_evidence": graph.field_evidence, "field_checks": graph.field_checks,
            "rule_results": graph.rule_results, "review_reasons": graph.review_reasons})
    return view


@router.get("/documents/{doc_id}/lineage", response_model=LineageView,
            responses=errors(401, 403, 404))
def get_lineage(request: Request, doc_id: str,
                who: AsSubmitter) -> LineageView:
    """Every step's hash-chained record, and whether the chain verifies (tampering check)."""
    state = _state(request)
    readable_document(state, doc_id, who)
    log = LineageLog.from_settings(state.settings, state.store.db)
    return LineageView(doc_id=doc_id, verify=log.verify(doc_id),
                       records=[LineageRecordView(**r) for r in log.records(doc_id)])
