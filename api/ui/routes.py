"""The web app's pages: sign in and out, the review queue, the review screen and its decisions.

Forms post back with the session's CSRF token; a decision goes through
`api.routes.reviews.apply_decision`, the code path of POST /reviews/{id}, under the account's
name. Plain HTML forms; review.js adds keyboard shortcuts and zoom (no client framework)."""

from __future__ import annotations

import hmac
from datetime import timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.auth import Role
from api.page_images import PageImages
from api.routes.documents import readable_document
from api.routes.reviews import apply_decision
from api.schemas import ReviewDecisionIn
from api.ui import admin, web
from api.ui.queue import QueueFilter, load_queue, next_for
from api.ui.review_page import edited_fields, review_screen
from api.ui.sessions import COOKIE

router = APIRouter(prefix="/ui", include_in_schema=False)
router.include_router(admin.router)


@router.get("")
@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/reviews", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/ui/reviews") -> Response:
    token = web.login_csrf_token(request)
    response = web.page(request, "login.html", {"next": web.safe_next(next), "token": token})
    web.set_login_csrf(request, response, token)
    return response


async def _form(request: Request) -> dict[str, str]:
    return {key: str(value) for key, value in (await request.form()).items()}


@router.post("/login")
async def login(request: Request) -> Response:
    return await run_in_threadpool(_login, request, await _form(request))


def _login(request: Request, form: dict[str, str]) -> Response:
    name, password = form.get("name", "").strip(), form.get("password", "")
    target = web.safe_next(form.get("next", ""))
    token = web.login_csrf_token(request)
    sent, expected = form.get("csrf_token", ""), request.cookies.get(web.LOGIN_CSRF_COOKIE, "")
    if not sent or not hmac.compare_digest(sent, expected):
        return _refused(request, "The sign-in form expired or came from another site; "
                        "sign in again from this page.", 403, target, name, token)
    settings = web.resources(request).settings.ui
    window = timedelta(minutes=settings.login_window_minutes)
    accounts = web.users(request)
    if accounts.recent_failures(name, window) >= settings.login_max_failures:
        response = _refused(request, f"Too many failed sign-ins for {name!r}: try again in "
                            f"{settings.login_window_minutes:g} minutes.", 429, target, name,
                            token)
        response.headers["Retry-After"] = str(int(window.total_seconds()))
        return response
    principal = accounts.authenticate(name, password)
    if principal is None:
        accounts.record_failure(name, window)
        return _refused(request, "Wrong account name or password.", 401, target, name, token)
    accounts.clear_failures(name)
    session = web.sessions(request).start(
        principal.owner, timedelta(hours=settings.session_hours))
    response = RedirectResponse(target, status_code=303)
    web.set_session_cookie(request, response, session)
    response.delete_cookie(web.SKIPPED_COOKIE, path="/ui")
    return response


def _refused(request: Request, message: str, status: int, target: str, name: str,
             token: str) -> Response:
    response = web.page(request, "login.html", {"next": target, "token": token,
                                                 "error": message, "name": name}, status)
    web.set_login_csrf(request, response, token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    return await run_in_threadpool(_logout, request, await _form(request))


def _logout(request: Request, form: dict[str, str]) -> Response:
    who = web.viewer(request)
    if who is not None and not who.session.csrf_ok(form.get("csrf_token")):
        return _forbidden(request, who, "This form has no valid CSRF token.")
    web.sessions(request).end(request.cookies.get(COOKIE))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(web.SKIPPED_COOKIE, path="/ui")
    return response


@router.get("/reviews")
def queue(request: Request, band: str = "", reason: str = "", type: str = "",
          min_age_hours: str = "", note: str = "", page: int = 1) -> Response:
    who = web.viewer(request)
    if who is None:
        return web.to_login(request)
    if who.principal.role < Role.reviewer:
        return _forbidden(request, who, "The review queue is for reviewers and admins.")
    state = web.resources(request)
    where = QueueFilter(band=band, reason=reason.strip(), type=type,
                        min_age_hours=_hours(min_age_hours))
    found = load_queue(state.store.db, web.claims(request).active(), where, page)
    return web.page(request, "queue.html", {
        "queue": found, "where": where, "wait_text": web.wait_text, "note": note,
        "query": urlencode({"band": band, "reason": reason, "type": type,
                            "min_age_hours": min_age_hours}),
        "oldest_wait": web.wait_text(found.oldest) if found.oldest else None}, who=who)


def _hours(text: str) -> float | None:
    """The form's "waiting at least" field: empty (or not a number) means no limit."""
    try:
        hours = float(text)
    except ValueError:
        return None
    return hours if hours >= 0 else None


@router.get("/reviews/next")
def next_review(request: Request, after: str = "", skip: str = "") -> Response:
    """The oldest pending document nobody else holds, after deciding `after` or skipping
    `skip`. Skipped documents come back only once every other one has been offered."""
    who = web.viewer(request)
    if who is None:
        return web.to_login(request)
    skipped = web.skipped(request)
    for doc_id in (after, skip):
        if doc_id:
            web.claims(request).release(doc_id, who.name)  # free for others
    if skip and skip.isalnum():
        skipped = [d for d in skipped if d != skip] + [skip]
    db = web.resources(request).store.db
    just_left = {d for d in (after, skip) if d}
    doc_id = (next_for(db, who.name, just_left | set(skipped))
              or next_for(db, who.name, just_left))
    target = f"/ui/reviews/{doc_id}" if doc_id else "/ui/reviews?note=empty"
    response = RedirectResponse(target, status_code=303)
    if skip:
        web.remember_skips(request, response, skipped)
    return response


@router.get("/reviews/{doc_id}")
def review(request: Request, doc_id: str) -> Response:
    who = web.viewer(request)
    if who is None:
        return web.to_login(request)
    return _screen(request, who, doc_id)


@router.post("/reviews/{doc_id}/claim")
async def renew_claim(request: Request, doc_id: str) -> Response:
    """Keep holding an open document (review.js calls it while the page stays open)."""
    return await run_in_threadpool(_renew_claim, request, doc_id, await _form(request))


def _renew_claim(request: Request, doc_id: str, form: dict[str, str]) -> Response:
    who = web.viewer(request)
    if who is None or not who.session.csrf_ok(form.get("csrf_token")):
        return Response(status_code=403)
    if who.principal.role < Role.reviewer:
        return Response(status_code=403)
    review = web.resources(request).store.reviews.get(doc_id)
    if review is None or review.status != "pending":
        return Response(status_code=409)
    claim = web.claims(request).take(doc_id, who.name, web.claim_lifetime(request))
    return Response(status_code=204 if claim.reviewer == who.name else 409)


@router.post("/reviews/{doc_id}")
async def decide(request: Request, doc_id: str) -> Response:
    return await run_in_threadpool(_decide, request, doc_id, await _form(request))


def _decide(request: Request, doc_id: str, form: dict[str, str]) -> Response:
    who = web.viewer(request)
    if who is None:
        return web.to_login(request)
    if not who.session.csrf_ok(form.get("csrf_token")):
        return _forbidden(request, who, "This form has no valid CSRF token: reload the page "
                          "and decide again.")
    if who.principal.role < Role.reviewer:
        return _forbidden(request, who, "Deciding reviews is for reviewers and admins.")
    state = web.resources(request)
    review = state.store.reviews.get(doc_id)
    if review is None or review.status != "pending":
        return _screen(request, who, doc_id, status=409,
                       error="This review was decided elsewhere; nothing was changed.")
    claim = web.claims(request).take(doc_id, who.name, web.claim_lifetime(request))
    if claim.reviewer != who.name:
        return _screen(request, who, doc_id, status=409, error=(
            f"{claim.reviewer} holds this document; nothing was changed."))
    try:
        body = _decision(form, review.payload or {})
        apply_decision(state, doc_id, body, who.name)  # waits for the worker, in a thread
    except ValueError as exc:
        return _screen(request, who, doc_id, status=422, error=str(exc))
    except HTTPException as exc:
        message = exc.detail.get("message") if isinstance(exc.detail, dict) else exc.detail
        return _screen(request, who, doc_id, status=exc.status_code, error=str(message))
    web.claims(request).release(doc_id, who.name)
    return RedirectResponse(f"/ui/reviews/next?after={doc_id}", status_code=303)


def _decision(form: dict[str, str], payload: dict) -> ReviewDecisionIn:
    action = form.get("action", "")
    note = form.get("note") or None
    if action == "relabel":
        return ReviewDecisionIn(action="relabel", label=form.get("label") or None, note=note)
    if action == "edit":
        fields = edited_fields(payload.get("fields") or {}, form)
        if not fields:
            raise ValueError("No field was changed: change a value, or approve as it is.")
        return ReviewDecisionIn(action="edit", fields=fields, note=note)
    if action in ("approve", "reject"):
        return ReviewDecisionIn(action=action, note=note)
    raise ValueError(f"Unknown action {action!r}: approve, reject, relabel or edit.")


@router.get("/documents/{doc_id}/pages/{number}")
def page_image(request: Request, doc_id: str, number: int) -> Response:
    """The page image for the signed-in person (the API's route takes API keys)."""
    who = web.viewer(request)
    if who is None:
        return Response(status_code=401)
    state = web.resources(request)
    document = readable_document(state, doc_id, who.principal)
    path = PageImages(state.store, state.settings).path(document, number)
    return FileResponse(path, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=86400"})


def _screen(request: Request, who: web.Viewer, doc_id: str, status: int = 200,
            error: str | None = None) -> Response:
    if who.principal.role < Role.reviewer:
        return _forbidden(request, who, "Reviewing documents is for reviewers and admins.")
    state = web.resources(request)
    review = state.store.reviews.get(doc_id)
    document = state.store.documents.get(doc_id)
    if review is None or document is None:
        return web.page(request, "message.html", {
            "title": "No such review", "message": f"Document {doc_id[:12]} has no review."},
            404, who)
    claim = (web.claims(request).take(doc_id, who.name, web.claim_lifetime(request))
             if review.status == "pending" else None)
    screen = review_screen(state, document, review, claim)
    return web.page(request, "review.html", {
        "s": screen, "error": error, "wait_text": web.wait_text,
        "renew_seconds": max(int(state.settings.ui.claim_minutes * 60 / 3), 5),
        "mine": claim is not None and claim.reviewer == who.name}, status, who)


def _forbidden(request: Request, who: web.Viewer, message: str) -> Response:
    return web.page(request, "message.html", {"title": "Not allowed", "message": message},
                    403, who)
