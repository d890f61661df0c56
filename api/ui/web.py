"""What every page of the web app shares: templates, who is signed in, CSRF checks, headers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.app_resources import AppResources
from api.auth import Principal
from api.ui.claims import ClaimRepository
from api.ui.sessions import COOKIE, OpenSession, SessionRepository
from api.users import UserRepository

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
LOGIN_CSRF_COOKIE = "papertrail_login_csrf"
SKIPPED_COOKIE = "papertrail_skipped"
SKIPS_KEPT = 40  # the most recent skips remembered
SECURITY_HEADERS = {
    # Scripts and styles come from /ui/static only; inline style attributes place the boxes.
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def resources(request: Request) -> AppResources:
    return request.app.state.papertrail


def users(request: Request) -> UserRepository:
    return UserRepository(resources(request).store.db)


def sessions(request: Request) -> SessionRepository:
    return SessionRepository(resources(request).store.db)


def claims(request: Request) -> ClaimRepository:
    return ClaimRepository(resources(request).store.db)


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: their account (current role) and their session's CSRF token."""

    principal: Principal
    session: OpenSession

    @property
    def name(self) -> str:
        return self.principal.owner


def viewer(request: Request) -> Viewer | None:
    session = sessions(request).get(request.cookies.get(COOKIE))
    if session is None:
        return None
    principal = users(request).principal(session.user)
    return Viewer(principal, session) if principal is not None else None


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/ui/login?next={quote(target)}", status_code=303)


def safe_next(target: str | None) -> str:
    """Only a path inside the app: never an open redirect to another site."""
    if target and target.startswith("/ui/") and not target.startswith("//"):
        return target
    return "/ui/reviews"


def page(request: Request, name: str, context: dict[str, Any], status: int = 200,
         who: Viewer | None = None) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, name, {"viewer": who, "csrf": who.session.csrf if who else None, **context},
        status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = resources(request).settings.ui
    response.set_cookie(COOKIE, token, max_age=int(settings.session_hours * 3600),
                        path="/", httponly=True, samesite="strict",
                        secure=settings.secure_cookies)


def skipped(request: Request) -> list[str]:
    """Documents this browser skipped since signing in, most recent last."""
    return [d for d in request.cookies.get(SKIPPED_COOKIE, "").split(".") if d.isalnum()]


def remember_skips(request: Request, response: Response, doc_ids: list[str]) -> None:
    """A browser-session cookie (no expiry; cleared at sign-in and sign-out): a skipped
    document is not offered again until the others have been."""
    response.set_cookie(SKIPPED_COOKIE, ".".join(doc_ids[-SKIPS_KEPT:]), path="/ui",
                        httponly=True, samesite="strict",
                        secure=resources(request).settings.ui.secure_cookies)


def login_csrf_token(request: Request) -> str:
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_login_csrf(request: Request, response: Response, token: str) -> None:
    """The sign-in form's token, also set as a cookie (double submit): a form posted from
    another site cannot sign someone in to an account of the attacker's."""
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path="/ui/login", httponly=True,
                        samesite="strict", secure=resources(request).settings.ui.secure_cookies)


def claim_lifetime(request: Request) -> timedelta:
    return timedelta(minutes=resources(request).settings.ui.claim_minutes)


def wait_text(since: datetime) -> str:
    """How long ago, for people: 3 d 4 h, 2 h 5 min, 7 min, 12 s."""
    seconds = max(int((datetime.now(UTC) - since).total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{secs} s"
