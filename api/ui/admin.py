"""GET /ui/admin: reviewer analytics for admins (the numbers /metrics exports, as a page)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import review_stats
from api.auth import Role
from api.ui import web

router = APIRouter()


@router.get("/admin")
def admin(request: Request) -> Response:
    who = web.viewer(request)
    if who is None:
        return web.to_login(request)
    if who.principal.role < Role.admin:
        return web.page(request, "message.html", {
            "title": "Not allowed", "message": "Reviewer analytics are for admins."}, 403, who)
    state = web.resources(request)
    people, qa = review_stats.read(state.store.db)
    return web.page(request, "admin.html", {
        "people": people, "qa": qa, "qa_rate": state.settings.ui.qa_sample_rate,
        "duration": _duration}, who=who)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else (f"{minutes} min {secs} s" if minutes
                                                     else f"{secs} s")
