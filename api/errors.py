"""Every error the API answers has the documented body `{error, message, details?}`.

Handlers here cover the app's own errors (PapertrailError, HTTPException with such a body),
the framework's (unknown path, wrong method, a body that does not parse, invalid input),
storage faults (503 saying what an operator must fix) and, last, anything unexpected (500).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from agent.errors import StorageUnavailableError
from papertrail.errors import ErrorKind, PapertrailError

log = logging.getLogger(__name__)

STATUS_FOR_KIND: dict[ErrorKind, int] = {
    "invalid": 422, "too_large": 413, "unsupported": 415, "not_found": 404, "conflict": 409,
    "config": 503, "unavailable": 503, "busy": 429}


def error_body(code: str, message: str) -> dict[str, str]:
    return {"error": code, "message": message}


def status_for(exc: PapertrailError) -> int:
    return STATUS_FOR_KIND[exc.kind]


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)  # FastAPI's subclasses it
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(PapertrailError, _papertrail_error)
    app.add_exception_handler(OperationalError, _database_fault)
    app.add_exception_handler(sqlite3.OperationalError, _database_fault)
    app.add_exception_handler(psycopg.OperationalError, _database_fault)  # checkpoints
    app.add_exception_handler(Exception, _unexpected)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    body = exc.detail if isinstance(exc.detail, dict) else _framework_error(request, exc)
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def _framework_error(request: Request, exc: HTTPException) -> dict[str, str]:
    """Starlette's and FastAPI's own errors carry only a phrase: say what it means here."""
    method, path = request.method, request.url.path
    if exc.status_code == 404:
        return error_body("not_found", f"No endpoint at {method} {path}. The endpoints are "
                          "listed at /docs.")
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return error_body("method_not_allowed", f"{method} is not allowed on {path}; use "
                          f"{allowed or 'another method'}.")
    if exc.status_code == 400 and "multipart/" in request.headers.get("content-type", ""):
        return error_body("invalid_multipart", f"The request body is not valid multipart/"
                          f"form-data ({exc.detail}). Send the document as a multipart form "
                          "with one file part named 'file'.")
    if exc.status_code == 400:
        return error_body("invalid_body", f"The request body could not be read ({exc.detail}). "
                          "Send JSON with Content-Type: application/json.")
    return error_body(f"http_{exc.status_code}", str(exc.detail))


async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
               for e in exc.errors()]
    first: dict[str, Any] = details[0] if details else {"loc": [], "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"])
    return JSONResponse({**error_body("invalid_request", f"{where}: {first['msg']}"),
                         "details": details}, status_code=422)


async def _papertrail_error(_: Request, exc: PapertrailError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return JSONResponse(exc.to_dict(), status_code=status_for(exc), headers=headers)


async def _database_fault(request: Request,
                          exc: Exception) -> JSONResponse:
    """A database the request needed (documents, checkpoints, broker) failed underneath."""
    log.error("database fault on %s %s: %s", request.method, request.url.path, exc)
    reason = str(getattr(exc, "orig", None) or exc).strip()
    data_dir = request.app.state.papertrail.settings.resolved_data_dir
    fault = StorageUnavailableError(
        f"A database this request needs cannot be used ({reason}). An operator must make the "
        f"data folder {data_dir} and its database files writable, with free disk space, or "
        "the database server reachable; then try again.")
    return JSONResponse(fault.to_dict(), status_code=status_for(fault))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Last resort (Starlette still logs the traceback): the documented body, never bare."""
    return JSONResponse(error_body("internal_error", (
        f"The server failed on {request.method} {request.url.path} ({type(exc).__name__}). "
        "Try again; if it persists, an operator should read the server log, which has the "
        "traceback.")), status_code=500)
