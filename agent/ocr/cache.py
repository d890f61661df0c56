"""OCR results on disk, keyed by (content hash, OCR settings, Tesseract version).

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
    payload = json.dumps({"sha256": sha256, "engine": engine.model_dump()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


class OcrCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> OcrResult | None:
        path = self._path(key)
        try:
            return OcrResult.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:
            path.unlink(missing_ok=True)  # a damaged entry is recomputed, never trusted
            return None

    def put(self, result: OcrResult) -> None:
        path = self._path(result.cache_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(result.model_dump_json())
        os.replace(tmp, path)
