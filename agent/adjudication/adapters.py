"""The graph's `Retriever` and `Adjudicator` (agent/services.py), backed by Qdrant and the LLM.

`build_retrieval_services(settings)` gives both, configured by settings alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agent.adjudication.adjudicator import Adjudicator
from agent.adjudication.cache import PromptCache
from agent.adjudication.schema import AdjudicationResult
from agent.services import Adjudication, Evidence
from agent.settings import Settings
from classifiers.prediction import Prediction
from retrieval.index import Exemplar, ExemplarHit, ExemplarIndex
from retrieval.policies import PolicySet, load_policies


class QdrantRetriever:
    """Nearest reviewed exemplars from the Qdrant index, as the graph's `Evidence`."""

    def __init__(self, index: ExemplarIndex, snippet_chars: int = 600) -> None:
        self.index = index
        self.snippet_chars = snippet_chars

    def search(self, text: str, k: int) -> list[Evidence]:
        return [
            Evidence(
                id=h.doc_id, label=h.label, score=h.score, snippet=h.snippet(self.snippet_chars)
            )
            for h in self.index.search(text, k, reviewed_only=True)
        ]

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


class LlmAdjudicator:
    """Runs `Adjudicator` with the candidates' policies and answers in the graph's terms.

    `grounded` is True only when the configured policy accepted a label (`route == "auto"`).
    """

    def __init__(self, adjudicator: Adjudicator, policies: PolicySet) -> None:
        self.adjudicator = adjudicator
        self.policies = policies

    def adjudicate(
        self, text: str, prediction: Prediction, evidence: list[Evidence], labels: list[str]
    ) -> Adjudication:
        hits = [ExemplarHit(doc_id=e.id, label=e.label, score=e.score, text=e.snippet)
                for e in evidence]  # fmt: skip
        wanted = [label for label, _ in prediction.top_k(3)] + [h.label for h in hits]
        result = self.adjudicator.adjudicate(
            text, prediction, hits, self.policies.for_labels(list(dict.fromkeys(wanted))),
            labels=labels, policies_sha256=self.policies.sha256,
        )  # fmt: skip
        return to_adjudication(result, hits)


def to_adjudication(result: AdjudicationResult, hits: list[ExemplarHit]) -> Adjudication:
    answer = result.answer
    label = result.label or (answer.label if answer else "unknown")
    if answer is not None:
        cited = answer.evidence_ids
    else:  # policies without an LLM cite the exemplars that carry the chosen label
        cited = [h.doc_id for h in hits if h.label == result.label]
    record: dict[str, Any] = result.record.model_dump(mode="json") if result.record else {}
    record |= {
        "policy": result.policy,
        "status": result.status,
        "majority_label": result.majority_label,
        "classifier_label": result.classifier_label,
    }
    return Adjudication(
        label=label,
        grounded=result.route == "auto",
        reason=result.reason,
        cited_ids=cited,
        rationale=answer.rationale if answer else "",
        fields=answer.fields if answer else {},
        record=record,
    )


def build_retrieval_services(settings: Settings) -> tuple[QdrantRetriever, LlmAdjudicator]:
    """The default retriever and adjudicator for `build_services(...)`."""
    index = ExemplarIndex(settings.retrieval, settings.index_dir)
    cache = PromptCache(settings.cache_dir / "adjudication")
    adjudicator = Adjudicator(settings.llm, cache=cache)
    policies = load_policies(settings.retrieval.policies_file)
    return QdrantRetriever(index), LlmAdjudicator(adjudicator, policies)
