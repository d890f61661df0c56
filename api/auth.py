"""API keys with roles. Keys are random secrets; only their sha256 is configured or stored.

A key is sent as `Authorization: Bearer KEY` or `X-API-Key: KEY`. Roles are ordered:
submitter (upload, read own documents) < reviewer (+ reviews) < admin (+ everything).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from agent.settings import Settings
from papertrail.errors import ConfigurationError


class Role(IntEnum):
    submitter = 1
    reviewer = 2
    admin = 3


@dataclass(frozen=True)
class Principal:
    owner: str
    role: Role


class KeyConfigError(ConfigurationError):
    code = "api_keys_invalid"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return "pt_" + secrets.token_urlsafe(32)


def keys_file_path(settings: Settings) -> Path:
    return settings.api.keys_file or settings.resolved_data_dir / "api-keys.yaml"


class KeyRing:
    """sha256 -> who owns the key and with which role: the keys from settings, plus the keys
    file, read again whenever it changes (a new or revoked key applies without a restart)."""

    def __init__(self, configured: dict[str, Principal], path: Path | None = None) -> None:
        self._configured = configured
        self._path = path
        self._lock = threading.Lock()
        self._file_entries: dict[str, Principal] = {}
        self._seen: tuple[int, int, int] | None = None
        self._entries()  # a broken keys file fails at start, not at the first request

    def __len__(self) -> int:
        return len(self._entries())

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        configured: dict[str, Principal] = {}
        for spec in settings.api.keys:
            owner, role, digest = _split_spec(spec)
            configured[digest] = Principal(owner, role)
        return cls(configured, keys_file_path(settings))

    def identify(self, key: str) -> Principal | None:
        digest = hash_key(key)
        for known, principal in self._entries().items():
            if hmac.compare_digest(known, digest):
                return principal
        return None

    def _entries(self) -> dict[str, Principal]:
        with self._lock:
            version = _file_version(self._path)
            if version != self._seen:
                self._file_entries = _load_keys_file(self._path) if version else {}
                self._seen = version  # only once it loaded: a broken file is retried
            return {**self._configured, **self._file_entries}


def _file_version(path: Path | None) -> tuple[int, int, int] | None:
    """What changes when the file is rewritten or replaced; None when there is no file."""
    try:
        stat = path.stat() if path is not None else None
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size) if stat else None


def _load_keys_file(path: Path | None) -> dict[str, Principal]:
    entries: dict[str, Principal] = {}
    for item in _read_keys_file(path) if path is not None else []:
        owner, role, digest = _split_spec(
            f"{item.get('owner')}:{item.get('role')}:{item.get('sha256')}", path)
        entries[digest] = Principal(owner, role)
    return entries


def add_key_to_file(path: Path, owner: str, role: Role) -> str:
    """Create a key, store its hash in the keys file, and return the key (shown once)."""
    key = new_key()
    items = _read_keys_file(path) if path.is_file() else []
    items.append({"owner": owner, "role": role.name, "sha256": hash_key(key)})
    path.parent.mkdir(parents=True, exist_ok=True)
    # Replaced in one step: a running server never reads half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(yaml.safe_dump(items, sort_keys=False))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return key


def _read_keys_file(path: Path) -> list[dict]:
    text = path.read_text()
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise KeyConfigError(f"API keys file {path} is not valid YAML/JSON: {exc}. Fix it; "
                             "keys are checked again as soon as it changes.") from exc
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise KeyConfigError(f"API keys file {path} must be a list of {{owner, role, sha256}}.")
    return data


def _split_spec(spec: str, where: object = "PAPERTRAIL_API_KEYS") -> tuple[str, Role, str]:
    owner, _, rest = spec.partition(":")
    role_name, _, digest = rest.partition(":")
    if role_name not in Role.__members__:
        raise KeyConfigError(f"API key entry for {owner!r} in {where} has role {role_name!r}; "
                             f"use one of {', '.join(Role.__members__)}.")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
        raise KeyConfigError(f"API key entry for {owner!r} in {where} must hold the key's sha256 "
                             "(64 hex digits), not the key; create one with "
                             "`papertrail api-key create OWNER ROLE`.")
    if not owner:
        raise KeyConfigError(f"An API key entry in {where} has no owner: use OWNER:ROLE:SHA256.")
    return owner, Role[role_name], digest.lower()


BEARER = HTTPBearer(auto_error=False, description="Authorization: Bearer KEY")
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="The same key, in its own header.")


def key_from_headers(headers: Mapping[str, str]) -> str | None:
    """The key sent as `Authorization: Bearer KEY` or `X-API-Key: KEY` (headers lower-cased)."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return headers.get("x-api-key") or None


def authorize(key: str | None, keys: KeyRing, role: Role) -> Principal:
    """The key's Principal, if it has at least `role`; HTTPException 401/403 if not."""
    if key is None:
        raise HTTPException(401, detail={
            "error": "missing_api_key",
            "message": "Send an API key as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'."},
            headers={"WWW-Authenticate": "Bearer"})
    principal = keys.identify(key)
    if principal is None:
        raise HTTPException(401, detail={
            "error": "invalid_api_key", "message": "This API key is not known."},
            headers={"WWW-Authenticate": "Bearer"})
    if principal.role < role:
        raise HTTPException(403, detail={
            "error": "forbidden",
            "message": f"This needs the {role.name} role; the key of {principal.owner} "
            f"has {principal.role.name}."})
    return principal


def require(role: Role) -> Callable[..., Principal]:
    """Dependency: the caller's Principal, if their key has at least `role` (401/403 if not).

    The request guard (api.guard) runs the same check before the body is read; this one
    hands the Principal to the endpoint and describes the security schemes in OpenAPI."""

    def dependency(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
        header_key: Annotated[str | None, Depends(API_KEY_HEADER)],
    ) -> Principal:
        key = (bearer.credentials if bearer else None) or header_key
        return authorize(key, request.app.state.papertrail.keys, role)

    dependency.required_role = role  # type: ignore[attr-defined]
    return dependency


def required_role(route: Any) -> Role | None:
    """The role a route's `require()` dependency asks for; None for a public route."""
    pending = [getattr(route, "dependant", None)]
    while pending:
        dependant = pending.pop()
        if dependant is None:
            continue
        role = getattr(dependant.call, "required_role", None)
        if role is not None:
            return role
        pending.extend(dependant.dependencies)
    return None


AsSubmitter = Annotated[Principal, Depends(require(Role.submitter))]
AsReviewer = Annotated[Principal, Depends(require(Role.reviewer))]
AsAdmin = Annotated[Principal, Depends(require(Role.admin))]
