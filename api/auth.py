"""API keys with roles. Keys are random secrets; only their sha256 is configured or stored.

A key is sent as `Authorization: Bearer KEY` or `X-API-Key: KEY`. Roles are ordered:
submitter (upload, read own documents) < reviewer (+ reviews) < admin (+ everything).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import yaml
from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from agent.errors import PapertrailError
from agent.settings import Settings


class Role(IntEnum):
    submitter = 1
    reviewer = 2
    admin = 3


@dataclass(frozen=True)
class Principal:
    owner: str
    role: Role


class KeyConfigError(PapertrailError):
    code = "api_keys_invalid"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return "pt_" + secrets.token_urlsafe(32)


def keys_file_path(settings: Settings) -> Path:
    return settings.api.keys_file or settings.resolved_data_dir / "api-keys.yaml"


class KeyRing:
    """sha256 -> who owns the key and with which role."""

    def __init__(self, entries: dict[str, Principal]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        entries: dict[str, Principal] = {}
        for spec in settings.api.keys:
            owner, role, digest = _split_spec(spec)
            entries[digest] = Principal(owner, role)
        path = keys_file_path(settings)
        if path.is_file():
            for item in _read_keys_file(path):
                owner, role, digest = _split_spec(
                    f"{item.get('owner')}:{item.get('role')}:{item.get('sha256')}", path)
                entries[digest] = Principal(owner, role)
        return cls(entries)

    def identify(self, key: str) -> Principal | None:
        digest = hash_key(key)
        for known, principal in self._entries.items():
            if hmac.compare_digest(known, digest):
                return principal
        return None


def add_key_to_file(path: Path, owner: str, role: Role) -> str:
    """Create a key, store its hash in the keys file, and return the key (shown once)."""
    key = new_key()
    items = _read_keys_file(path) if path.is_file() else []
    items.append({"owner": owner, "role": role.name, "sha256": hash_key(key)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(items, sort_keys=False))
    path.chmod(0o600)
    return key


def _read_keys_file(path: Path) -> list[dict]:
    text = path.read_text()
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise KeyConfigError(f"API keys file {path} is not valid YAML/JSON: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
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


def require(role: Role) -> Callable[..., Principal]:
    """Dependency: the caller's Principal, if their key has at least `role` (401/403 if not)."""

    def dependency(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
        header_key: Annotated[str | None, Depends(API_KEY_HEADER)],
    ) -> Principal:
        key = (bearer.credentials if bearer else None) or header_key
        if key is None:
            raise HTTPException(401, detail={
                "error": "missing_api_key",
                "message": "Send an API key as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'."},
                headers={"WWW-Authenticate": "Bearer"})
        principal = request.app.state.papertrail.keys.identify(key)
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

    return dependency


AsSubmitter = Annotated[Principal, Depends(require(Role.submitter))]
AsReviewer = Annotated[Principal, Depends(require(Role.reviewer))]
AsAdmin = Annotated[Principal, Depends(require(Role.admin))]
