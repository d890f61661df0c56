"""GET /documents/{id}/pages/{n} (the page as a PNG) and GET /documents/{id}/original (the
stored bytes): what a person, or an integration, needs to see the document itself."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse

from api.app_resources import AppResources
from api.auth import AsSubmitter
from api.page_images import PageImages
from api.routes.documents import readable_document
from api.schemas import errors

router = APIRouter(tags=["documents"])
PNG = {200: {"content": {"image/png": {}}, "description": "The page, rendered as PNG."}}
ORIGINAL = {200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {},
                              "image/tiff": {}, "text/plain": {}},
                  "description": "The uploaded bytes, with their detected content type."}}


def _state(request: Request) -> AppResources:
    return request.app.state.papertrail


@router.get("/documents/{doc_id}/pages/{number}", response_class=FileResponse,
            responses={**PNG, **errors(401, 403, 404)})
def get_page(request: Request, doc_id: str, who: AsSubmitter,
             number: int = Path(ge=1, le=100_000, description="1-based page number.")
             ) -> FileResponse:
    """Page `number` rendered as PNG (PDFs at PAPERTRAIL_UI_PAGE_DPI; images as uploaded),
    cached on disk after the first request. Plain-text documents have no pages: 404."""
    state = _state(request)
    document = readable_document(state, doc_id, who)
    path = PageImages(state.store, state.settings).path(document, number)
    return FileResponse(path, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=86400"})


@router.get("/documents/{doc_id}/original", response_class=FileResponse,
            responses={**ORIGINAL, **errors(401, 403, 404)})
def get_original(request: Request, doc_id: str, who: AsSubmitter) -> FileResponse:
    """The bytes as uploaded (their sha256 is the id), with their detected content type."""
    state = _state(request)
    document = readable_document(state, doc_id, who)
    return FileResponse(state.store.blobs.path_for(document.id),
                        media_type=document.detected_type,
                        filename=document.filename,
                        headers={"Cache-Control": "private, max-age=86400",
                                 "X-Content-Type-Options": "nosniff"})
