"""The graph's `Retriever` (agent/services.py), backed by the Qdrant exemplar index."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from retrieval.hits import ExemplarHit
from retrieval.index import Exemplar, ExemplarIndex


class QdrantRetriever:
    """Nearest reviewed exemplars, their text cut to a snippet for the state and the prompt."""

    def __init__(self, index: ExemplarIndex, snippet_chars: int = 600) -> None:
        self.index = index
        self.snippet_chars = snippet_chars

    def search(self, text: str, k: int) -> list[ExemplarHit]:
        return [
            hit.model_copy(update={"text": hit.snippet(self.snippet_chars)})
            for hit in self.index.search(text, k, reviewed_only=True)
        ]

    def warm_up(self) -> None:
        """Load the embedding model (one short text embedded; nothing searched or stored)."""
        self.index.embedder.embed(["warm-up"])

    def add_exemplar(
        self, doc_id: str, text: str, label: str, fields: dict[str, Any], reviewer: str
    ) -> None:
        """A reviewed decision becomes an exemplar at once (re-reviews replace it)."""
        self.index.upsert_exemplars(
            [
                Exemplar(
                    doc_id=doc_id,
                    label=label,
                    text=text,
                    fields=fields,
                    reviewer=reviewer,
                    reviewed=True,
                    reviewed_at=datetime.now(UTC),
                )
            ]  # fmt: skip
        )

    def lineage(self) -> dict[str, Any]:
        cfg = self.index.config
        return {
            "backend": "qdrant-server" if cfg.qdrant_url else "qdrant-local",
            "collection": f"{cfg.collection_prefix}exemplars",
            "embedding": self.index.embedding_info,
            "filter": {"reviewed": True},
        }
