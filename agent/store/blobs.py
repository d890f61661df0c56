"""Originals on disk, addressed by their sha256: `blobs/ab/abcdef...`."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from agent.errors import StorageUnavailableError


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store the bytes; return (sha256, whether this call created the blob).

        Written to a temporary file and renamed, so a crash never leaves half a blob. A folder
        that cannot be written raises StorageUnavailableError, leaving nothing behind.
        """
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha256)
        if target.is_file():
            return sha256, False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, data)
        except OSError as exc:
            raise StorageUnavailableError(
                f"The blob folder {self.root} cannot be written ({exc.strerror or exc}: "
                f"{exc.filename or target}); nothing was stored. An operator must make it a "
                "writable folder with free space (PAPERTRAIL_DATA_DIR/blobs), then upload again."
            ) from exc
        return sha256, True

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
