"""The Qdrant index of reviewed exemplars.

Local mode on a folder under the data folder by default; a Qdrant server when
`QDRANT_URL` (or `PAPERTRAIL_RETRIEVAL_QDRANT_URL`) is set. Same code either way.
Local mode locks its folder: one `ExemplarIndex` per folder per process.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from qdrant_client import QdrantClient, models

from retrieval.embeddings import Embedder, SentenceTransformerEmbedder
from retrieval.errors import IndexUnavailable
from retrieval.hits import ExemplarHit
from retrieval.options import RetrievalSettings

EXEMPLARS = "exemplars"
OVERFETCH = 8  # local mode: unfiltered candidates per wanted hit (see `_overfetch`)
_ID_NAMESPACE = uuid.UUID("5b0c3c4e-8f5e-4a53-9c55-2f1d0a6c7e21")


def point_id(key: str) -> str:
    """Deterministic Qdrant point id for a document id."""
    return str(uuid.uuid5(_ID_NAMESPACE, key))


class Exemplar(BaseModel):
    """A labelled document stored for retrieval."""

    doc_id: str
    label: str
    text: str
    reviewed: bool = True
    reviewer: str | None = None
    reviewed_at: datetime | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    source: str | None = Field(None, description="Where it came from, e.g. a corpus path.")


class ExemplarIndex:
    """Upsert and search exemplars; see module docstring for the backends."""

    def __init__(
        self,
        options: RetrievalSettings,
        index_dir: Path,
        embedder: Embedder | None = None,
        client: QdrantClient | None = None,
    ) -> None:
        """`index_dir` holds the local-mode folder (`index_dir/qdrant`) when no server is set."""
        self.config = options
        self._embedder = embedder
        self._client = client or self._open_client(index_dir / "qdrant")
        self._prefix = self.config.collection_prefix

    def _open_client(self, folder: Path) -> QdrantClient:
        cfg = self.config
        try:
            if cfg.qdrant_url:
                return QdrantClient(url=cfg.qdrant_url, api_key=cfg.qdrant_api_key, timeout=10)
            folder.mkdir(parents=True, exist_ok=True)
            return QdrantClient(path=str(folder))
        except Exception as exc:  # qdrant raises RuntimeError/ValueError/portalocker errors
            where = cfg.qdrant_url or str(folder)
            raise IndexUnavailable(
                f"Cannot open the Qdrant index at {where}: {exc}. In local mode only one process "
                "may open a folder; stop the other one or set QDRANT_URL to a server."
            ) from exc

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder(
                self.config.embedding_model, batch_size=self.config.embedding_batch_size
            )
        return self._embedder

    @property
    def embedding_info(self) -> dict[str, str]:
        """What lineage records about the vectors: model name and weight hash."""
        return {"model": self.embedder.model_name, "weight_hash": self.embedder.weight_hash}

    def _name(self, collection: str) -> str:
        return f"{self._prefix}{collection}"

    def _ensure(self, collection: str) -> str:
        name = self._name(collection)
        if not self._client.collection_exists(name):
            self._client.create_collection(
                name,
                vectors_config=models.VectorParams(
                    size=self.embedder.dimension, distance=models.Distance.COSINE
                ),
            )
            if self.config.qdrant_url:  # payload indexes only matter on a server
                for field in ("label", "doc_id"):
                    self._client.create_payload_index(name, field, models.PayloadSchemaType.KEYWORD)
                self._client.create_payload_index(name, "reviewed", models.PayloadSchemaType.BOOL)
        return name

    # --- exemplars -------------------------------------------------------------------------

    def upsert_exemplars(self, exemplars: Iterable[Exemplar]) -> int:
        """Insert or replace exemplars, keyed by document id. Returns how many were written."""
        items = list(exemplars)
        if not items:
            return 0
        name = self._ensure(EXEMPLARS)
        size = self.config.embedding_batch_size * 4
        for start in range(0, len(items), size):
            batch = items[start : start + size]
            texts = [e.text[: self.config.exemplar_chars] for e in batch]
            vectors = self.embedder.embed(texts)
            points = [
                models.PointStruct(
                    id=point_id(e.doc_id),
                    vector=vec.tolist(),
                    payload=e.model_dump(mode="json") | {"text": text},
                )
                for e, text, vec in zip(batch, texts, vectors, strict=True)
            ]
            self._client.upsert(name, points=points, wait=True)
        return len(items)

    def delete_exemplar(self, doc_id: str) -> None:
        name = self._ensure(EXEMPLARS)
        self._client.delete(name, points_selector=models.PointIdsList(points=[point_id(doc_id)]))

    def search(
        self,
        text: str,
        k: int | None = None,
        *,
        label: str | None = None,
        reviewed_only: bool = True,
        exclude_doc_ids: Sequence[str] = (),
    ) -> list[ExemplarHit]:
        """The k exemplars nearest to `text`, optionally only one label / reviewed ones."""
        vector = self.embedder.embed([text])[0]
        return self.search_vector(
            vector, k, label=label, reviewed_only=reviewed_only, exclude_doc_ids=exclude_doc_ids
        )

    def search_vector(
        self,
        vector: np.ndarray,
        k: int | None = None,
        *,
        label: str | None = None,
        reviewed_only: bool = True,
        exclude_doc_ids: Sequence[str] = (),
    ) -> list[ExemplarHit]:
        name = self._ensure(EXEMPLARS)
        limit = k or self.config.k
        query = np.asarray(vector, dtype=np.float32).tolist()
        excluded = {point_id(d) for d in exclude_doc_ids}

        def wanted(payload: dict[str, Any]) -> bool:
            return ((label is None or payload.get("label") == label)
                    and (not reviewed_only or bool(payload.get("reviewed", True))))

        points = None
        if not self.config.qdrant_url and (label is not None or reviewed_only or excluded):
            points = self._overfetch(name, query, limit, wanted, excluded)
        if points is None:
            points = self._client.query_points(
                name, query=query,
                query_filter=exemplar_filter(label, reviewed_only, excluded),
                limit=limit, with_payload=True).points
        return [
            ExemplarHit(
                doc_id=p.payload["doc_id"],
                label=p.payload["label"],
                score=float(p.score),
                text=p.payload.get("text", ""),
                reviewed=bool(p.payload.get("reviewed", True)),
            )
            for p in points
        ]

    def _overfetch(self, name: str, query: list[float], limit: int, wanted: Any,
                   excluded: set[str]) -> list[models.ScoredPoint] | None:
        """Local mode evaluates a filter point by point in Python (~20-70x an unfiltered search
        at 10k exemplars): take the nearest `OVERFETCH` x k unfiltered and filter them here.
        When at least k of them pass, they are exactly the k nearest that pass (any nearer one
        would be among them); otherwise None, and the caller runs the filtered query."""
        nearest = self._client.query_points(name, query=query, limit=limit * OVERFETCH,
                                            with_payload=True).points
        hits = [p for p in nearest if str(p.id) not in excluded and wanted(p.payload or {})]
        return hits[:limit] if len(hits) >= limit else None

    def count(self, collection: str = EXEMPLARS, *, label: str | None = None) -> int:
        name = self._ensure(collection)
        flt = None
        if label is not None:
            flt = models.Filter(
                must=[models.FieldCondition(key="label", match=models.MatchValue(value=label))]
            )
        return self._client.count(name, count_filter=flt, exact=True).count

    def drop(self, collection: str) -> None:
        """Delete a whole collection (it is recreated empty on next use)."""
        if self._client.collection_exists(self._name(collection)):
            self._client.delete_collection(self._name(collection))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ExemplarIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def exemplar_filter(label: str | None, reviewed_only: bool,
                    excluded: set[str]) -> models.Filter | None:
    """Qdrant's form of the search conditions (what a server evaluates with its indexes)."""
    must: list[models.Condition] = []
    if label is not None:
        must.append(models.FieldCondition(key="label", match=models.MatchValue(value=label)))
    if reviewed_only:
        must.append(models.FieldCondition(key="reviewed", match=models.MatchValue(value=True)))
    must_not: list[models.Condition] = []
    if excluded:
        must_not.append(models.HasIdCondition(has_id=sorted(excluded)))
    return models.Filter(must=must, must_not=must_not) if must or must_not else None
