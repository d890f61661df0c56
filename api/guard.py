"""The edge every HTTP request passes (a pure ASGI middleware): the body is read only from a
caller allowed to send it, only up to a limit, and only for so long.

FastAPI reads a declared body before it runs dependencies, so the `require()` dependency alone
would read, and spool to disk, a whole upload from a caller with no key. The guard steps in when
the app first asks for the body, after routing and before a byte of it is read: it checks the
key the matched route needs and refuses a declared Content-Length over the route's limit. It
then counts the body as it streams (chunked bodies too, whatever their content type) and answers
408 to a body that arrives too slowly. Its refusals close the connection, so the rest of such a
body is never read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.ingest.validate import format_size
from agent.settings import Settings
from api.auth import authorize, key_from_headers, required_role
from api.errors import error_body, status_for
from papertrail.errors import PapertrailError

MULTIPART_OVERHEAD = 64 * 1024  # the multipart envelope around an upload's bytes
CLOSE = {"Connection": "close"}

F = TypeVar("F", bound=Callable[..., Any])


def takes_upload(endpoint: F) -> F:
    """Mark an endpoint whose body is an upload: it gets the upload limit, not the JSON one."""
    endpoint.takes_upload = True  # type: ignore[attr-defined]
    return endpoint


def upload_body_limit(settings: Settings) -> int:
    return settings.max_upload_bytes + MULTIPART_OVERHEAD


class Refused(HTTPException):
    """Raised from `receive` to refuse a request before (more of) its body is read. The app
    answers it with its detail; the guard makes sure that is what the client gets."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, detail=body, headers={**(headers or {}), **CLOSE})


class RequestGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = _GuardedBody(scope, receive, self.settings)
        replaced = False

        async def answer_refusal() -> None:
            nonlocal replaced
            if not replaced and body.refusal is not None:
                replaced = True
                await JSONResponse(body.refusal.detail, status_code=body.refusal.status_code,
                                   headers=body.refusal.headers)(scope, body.receive, send)

        async def guarded_send(message: Message) -> None:
            # A body parser may have turned the refusal into an error of its own: the client
            # gets the refusal, and nothing the app sends after it.
            if body.refusal is not None:
                if message["type"] == "http.response.start":
                    await answer_refusal()
                return
            if message["type"] == "http.response.start" and body.unread:
                # Answered without reading the body (401, 404, ...): close rather than let
                # the server read and discard the rest of it.
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, body.receive, guarded_send)
        except Refused:
            await answer_refusal()


class _GuardedBody:
    """The app's `receive`: checks the caller before the first byte, then counts the body
    against the route's limit and a deadline that starts when the app first asks for it."""

    def __init__(self, scope: Scope, receive: Receive, settings: Settings) -> None:
        self.scope = scope
        self._receive = receive
        self.settings = settings
        self.deadline = 0.0  # set when the app first asks for the body
        self.limit, self.kind = settings.api.max_body_bytes, "body"
        self.received = 0
        self.started = False
        self.complete = False
        self.refusal: Refused | None = None

    @property
    def unread(self) -> bool:
        """The request has a body that was not read to its end."""
        headers = Headers(scope=self.scope)
        has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
        return has_body and not self.complete

    async def receive(self) -> Message:
        if self.refusal is not None:
            raise self.refusal
        if self.complete:
            return await self._receive()  # after the body: only the disconnect is awaited
        if not self.started:
            self.started = True
            self._check_before_reading()
            self.deadline = (asyncio.get_running_loop().time()
                             + self.settings.api.body_timeout_seconds)
        remaining = self.deadline - asyncio.get_running_loop().time()
        try:
            message = await asyncio.wait_for(self._receive(), max(remaining, 0.001))
        except TimeoutError:
            raise self._refuse(self._too_slow()) from None
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.complete = not message.get("more_body", False)
            if self.received > self.limit:
                raise self._refuse(self._too_large(f"is over {format_size(self.limit)}"))
        return message

    def _check_before_reading(self) -> None:
        route = self.scope.get("route")
        headers = Headers(scope=self.scope)
        role = required_role(route) if route is not None else None
        try:
            if role is not None:
                keys = self.scope["app"].state.papertrail.keys
                authorize(key_from_headers(headers), keys, role)
        except HTTPException as exc:
            raise self._refuse(Refused(exc.status_code, exc.detail, exc.headers)) from None
        except PapertrailError as exc:  # the keys file turned unreadable
            raise self._refuse(Refused(status_for(exc), exc.to_dict())) from None
        if getattr(self.scope.get("endpoint"), "takes_upload", False):
            self.limit, self.kind = upload_body_limit(self.settings), "upload"
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            raise self._refuse(self._too_large(f"is {format_size(int(declared))}"))

    def _refuse(self, refusal: Refused) -> Refused:
        self.refusal = refusal
        return refusal

    def _too_large(self, seen: str) -> Refused:
        if self.kind == "upload":
            return Refused(413, error_body("file_too_large", (
                f"The upload {seen}; the limit is {format_size(self.settings.max_upload_bytes)} "
                f"(setting PAPERTRAIL_MAX_UPLOAD_BYTES) plus {format_size(MULTIPART_OVERHEAD)} "
                "for the multipart envelope. It was refused before being read in full; split "
                "or compress it.")))
        return Refused(413, error_body("body_too_large", (
            f"The request body {seen}; this endpoint accepts at most "
            f"{format_size(self.limit)} (setting PAPERTRAIL_API_MAX_BODY_BYTES).")))

    def _too_slow(self) -> Refused:
        timeout = self.settings.api.body_timeout_seconds
        return Refused(408, error_body("request_timeout", (
            f"The request body did not arrive within {timeout:g} s (setting "
            f"PAPERTRAIL_API_BODY_TIMEOUT_SECONDS); {format_size(self.received)} had arrived. "
            "The connection was closed; send it again over a faster link.")))
