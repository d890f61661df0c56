"""GET /drift (reviewer or admin): the drift verdict; POST /drift/ack (admin): acknowledge it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from agent.drift import DriftReport
from api import drift_status
from api.auth import AsAdmin, AsReviewer
from api.schemas import errors

router = APIRouter(tags=["operations"])


class DriftAck(BaseModel):
    bundle_id: str | None
    acknowledged: int
    by: str
    report: DriftReport


@router.get("/drift", response_model=DriftReport, responses=errors(401, 403))
def drift(request: Request, who: AsReviewer) -> DriftReport:
    """Per signal (calibrated confidence, predicted label, OCR confidence, text length): PSI of
    the recent documents against the active bundle's reference profile, the threshold, the
    window, whether it drifted and since when; and the live precision of auto-approvals (QA
    second looks) with its interval, n and the certified promise (docs/drift.md)."""
    return drift_status.report(request.app.state.papertrail)


@router.post("/drift/ack", response_model=DriftAck, responses=errors(401, 403))
def acknowledge(request: Request, who: AsAdmin) -> DriftAck:
    """Acknowledge the active bundle's open drift: auto-approval resumes (with
    PAPERTRAIL_DRIFT_ACTION=suspend) until a signal drifts anew. Recorded with who."""
    state = request.app.state.papertrail
    bundle_id, _ = drift_status.active_reference(state)
    count = state.drift.acknowledge(bundle_id, who.owner) if bundle_id else 0
    return DriftAck(bundle_id=bundle_id, acknowledged=count, by=who.owner,
                    report=drift_status.report(state, fresh=True))
