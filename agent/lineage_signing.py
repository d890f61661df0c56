"""Ed25519 signatures on lineage records, by a key kept outside the database.

The hash chain (agent/lineage.py) shows that a record was edited, but anyone who can write the
database can recompute every hash with the public function and fix the document's head and
count. A signature needs the private key, which lives in a file, never in the database: a
chain rewritten consistently no longer carries valid signatures by a trusted key.

Every record is signed, not only the document's head: a record's hash covers the one before
it, so its signature vouches for the whole chain up to it, and verification can name the
records that were rewritten. Records written before signing existed carry no signature and are
reported as unsigned; an unsigned record after a signed one had its signature removed.

Rotation: a new key signs new records; records verify against any public key in the trusted
folder, where each signing key's public key is written when it is first used.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)
from pydantic import BaseModel, Field

from agent.settings import Settings
from papertrail.errors import ConfigurationError

# Domain separation: a lineage signature can never be mistaken for a signature over anything else.
SIGNATURE_CONTEXT = b"papertrail lineage record v1\n"
PUBLIC_KEY_SUFFIXES = (".pub", ".pem")


def key_id(public_key: Ed25519PublicKey) -> str:
    """Short id of a public key: the first 16 hex digits of the sha256 of its raw 32 bytes."""
    return hashlib.sha256(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


class RecordSignature(BaseModel):
    key_id: str
    signature: str = Field(description="Base64 Ed25519 signature over the record's hash.")


class SignatureFindings(BaseModel):
    problems: list[str] = Field(default_factory=list)
    rewritten: list[int] = Field(default_factory=list)
    unsigned: list[int] = Field(default_factory=list)
    key_ids: list[str] = Field(default_factory=list)


class LineageKeys:
    """The signing key (a file, created with mode 0600 on first use) and the trusted public keys
    (a folder). The key file is looked at on every signature, so a rotation needs no restart."""

    def __init__(self, key_file: Path, trusted_dir: Path) -> None:
        self.key_file = key_file
        self.trusted_dir = trusted_dir
        self._loaded: tuple[tuple[int, int], Ed25519PrivateKey, str] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LineageKeys:
        return cls(settings.lineage_key_file, settings.lineage_trusted_keys_dir)

    def sign(self, record_hash: str) -> RecordSignature:
        key, kid = self._signing_key(create=True)
        signature = key.sign(SIGNATURE_CONTEXT + record_hash.encode())
        return RecordSignature(key_id=kid, signature=base64.b64encode(signature).decode())

    def trusted(self) -> dict[str, Ed25519PublicKey]:
        """Every public key in the trusted folder, and the current signing key's (if any)."""
        keys: dict[str, Ed25519PublicKey] = {}
        if self.trusted_dir.is_dir():
            for path in sorted(self.trusted_dir.iterdir()):
                if path.suffix in PUBLIC_KEY_SUFFIXES and path.is_file():
                    public = _load_public_key(path)
                    keys[key_id(public)] = public
        if self.key_file.is_file():
            key, kid = self._signing_key(create=False)
            keys[kid] = key.public_key()
        return keys

    def check(self, records: list[dict[str, Any]]) -> SignatureFindings:
        """Each record's signature, against the trusted keys (records in chain order)."""
        trusted = self.trusted()
        found = SignatureFindings()
        last_signed: int | None = None
        for rec in records:
            seq, node, kid = rec["seq"], rec["node"], rec.get("key_id")
            if kid is None:
                if last_signed is None:
                    found.unsigned.append(seq)  # written before lineage signing
                    continue
                found.problems.append(
                    f"record {seq} ({node}) is unsigned although record {last_signed} before it "
                    "is signed: its signature was removed and the record rewritten")
            elif kid not in trusted:
                last_signed = seq
                found.problems.append(
                    f"record {seq} ({node}) is signed by key {kid}, which is not trusted "
                    f"(trusted: {', '.join(sorted(trusted)) or 'none'}): the record was rewritten, "
                    f"or that key's public key is missing from {self.trusted_dir}")
            elif not _signature_valid(trusted[kid], rec.get("signature") or "", rec["hash"]):
                last_signed = seq
                found.problems.append(
                    f"record {seq} ({node}) does not carry a valid signature by key {kid}: it was "
                    "rewritten after it was signed")
            else:
                last_signed = seq
                if kid not in found.key_ids:
                    found.key_ids.append(kid)
                continue
            found.rewritten.append(seq)
        return found

    def _signing_key(self, create: bool) -> tuple[Ed25519PrivateKey, str]:
        path = self.key_file
        if create and not path.is_file():
            _create_private_key(path)
        try:
            stat = path.stat()
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot read the lineage signing key {path}: {exc.strerror}. Set "
                "PAPERTRAIL_LINEAGE_KEY_FILE to a readable key file.") from exc
        version = (stat.st_ino, stat.st_mtime_ns)
        if self._loaded is None or self._loaded[0] != version:
            key = _load_private_key(path)
            kid = key_id(key.public_key())
            self._trust(key.public_key(), kid)
            self._loaded = (version, key, kid)
        return self._loaded[1], self._loaded[2]

    def _trust(self, public: Ed25519PublicKey, kid: str) -> None:
        """Keep the signing key's public key in the trusted folder, so it stays trusted after
        the key file is rotated away."""
        target = self.trusted_dir / f"{kid}.pub"
        if target.is_file():
            return
        try:
            self.trusted_dir.mkdir(parents=True, exist_ok=True)
            _write_new(target, public_key_pem(public), mode=0o644)
        except FileExistsError:
            pass  # written by a concurrent first use
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot add the lineage signing key's public key to the trusted keys at "
                f"{target}: {exc.strerror}. Make the folder writable "
                "(PAPERTRAIL_LINEAGE_TRUSTED_KEYS_DIR) or copy the public key there yourself.",
            ) from exc


def _signature_valid(public: Ed25519PublicKey, signature: str, record_hash: str) -> bool:
    try:
        public.verify(base64.b64decode(signature, validate=True),
                      SIGNATURE_CONTEXT + record_hash.encode())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _create_private_key(path: Path) -> None:
    """A new Ed25519 key at `path`, mode 0600. Safe against a concurrent first use: the key is
    written to a private temporary file and linked into place, so exactly one key wins."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_new(path, pem, mode=0o600)
    except FileExistsError:
        pass  # another process created it first: everyone signs with that one
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot create the lineage signing key at {path}: {exc.strerror}. Make the folder "
            "writable or set PAPERTRAIL_LINEAGE_KEY_FILE to an existing key.") from exc


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write `path` only if it does not exist yet, never leaving it half written."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)  # atomic; FileExistsError if someone else got there first
    finally:
        tmp.unlink(missing_ok=True)


def _load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ConfigurationError(
            f"The lineage signing key {path} cannot be read as an unencrypted PEM (PKCS#8) "
            f"private key: {exc}. Point PAPERTRAIL_LINEAGE_KEY_FILE at the right file, or move "
            "this one aside to have a new key created (README: lineage keys).") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(
            f"The lineage signing key {path} is a {type(key).__name__}, not an Ed25519 key. "
            "Create one with `openssl genpkey -algorithm ed25519`.")
    return key


def _load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = load_pem_public_key(path.read_bytes())
    except (OSError, ValueError, UnsupportedAlgorithm) as exc:
        raise ConfigurationError(
            f"The trusted lineage key {path} cannot be read as a PEM public key: {exc}. Replace "
            "it with the output of `openssl pkey -pubout` for the key, or remove it.") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigurationError(
            f"The trusted lineage key {path} is a {type(key).__name__}, not an Ed25519 key. "
            "Remove it from the trusted keys folder.")
    return key
