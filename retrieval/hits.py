"""What a search of the exemplar index returns. A light module: the graph's state and the
adjudication models use it without loading Qdrant."""

from __future__ import annotations

from pydantic import BaseModel


class ExemplarHit(BaseModel):
    """One retrieved exemplar with its cosine similarity: the evidence an adjudication may cite.

    The graph keeps these in its state, the prompt quotes them, lineage records them."""

    doc_id: str
    label: str
    score: float
    text: str
    reviewed: bool = True

    def snippet(self, chars: int = 300) -> str:
        return " ".join(self.text.split())[:chars]
