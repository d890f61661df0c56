"""OCR results on disk, keyed by (content hash, OCR engine, its version and options).

A JSON file per key under the data folder: retraining and re-evaluation never re-OCR.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from agent.ocr.models import OcrEngineInfo, OcrResult


def cache_key(sha256: str, engine: OcrEngineInfo) -> str:
    # The engine as one flat object of name, version and options: the layout of the keys the
    # Tesseract-only releases wrote, so their cached results stay valid.
    described = {"engine": engine.name, "version": engine.version, **engine.options}
    payload = json.dumps({"sha256": sha256, "engine": described}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


class OcrCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str, engine: OcrEngineInfo) -> OcrResult | None:
        """The result stored under `key`, which was derived from `engine`: so the result's
        engine is `engine` (entries from before engines shared one info model stay readable)."""
        path = self._path(key)
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            return OcrResult.model_validate(stored | {"engine": engine})
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            path.unlink(missing_ok=True)  # a damaged entry is recomputed, never trusted
            return None

    def put(self, result: OcrResult) -> None:
        path = self._path(result.cache_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(result.model_dump_json())
        os.replace(tmp, path)
