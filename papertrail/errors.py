"""The one root of every error a person can act on.

Each error has a `code` (stable, machine-readable), a `kind` that lets a face (HTTP, CLI, Slack,
the worker) choose its own reaction without this module knowing any of them, and a message
that says what is wrong, the value seen and what to do. `retryable` errors are transient (a
server not reachable yet); every other one needs a person to change something, so a worker
never retries it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

ErrorKind = Literal[
    "invalid",  # the input is wrong: fix it and send it again (HTTP 400/422)
    "too_large",  # the input is over a configured limit (HTTP 413)
    "unsupported",  # the input's type is not handled (HTTP 415)
    "not_found",  # what was named does not exist (HTTP 404)
    "conflict",  # the request clashes with the current state (HTTP 409)
    "config",  # the deployment is misconfigured: an operator must act (HTTP 500/503)
    "unavailable",  # a dependency cannot be reached right now (HTTP 503); may be retried
    "busy",  # a configured capacity is used up (HTTP 429): retry after the time it says
]


class PapertrailError(Exception):
    """Base of every error a user can act on."""

    code: ClassVar[str] = "error"
    kind: ClassVar[ErrorKind] = "invalid"
    retryable: ClassVar[bool] = False
    retry_after: int | None = None  # seconds to wait before trying again, when known

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


class ConfigurationError(PapertrailError):
    """A setting, file or installed component is wrong; no retry can fix it."""

    code = "configuration_error"
    kind = "config"


class DependencyUnavailableError(PapertrailError):
    """A server or file the work needs cannot be reached now; trying again later may work."""

    code = "dependency_unavailable"
    kind = "unavailable"
    retryable = True
