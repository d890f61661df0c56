"""Adjudicate an escalated document: prompt the LLM with grounding, validate, apply the policy.

The LLM backend (agent/llm) owns the transport: request bodies, server-side constraints and
typed errors. This module owns the prompt, the checks on the answer and the adjudication
policy, and records each call for lineage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from agent.adjudication.cache import PromptCache, cache_key
from agent.adjudication.policy import (
    LLM_POLICIES,
    check_adjudication_policy,
    decide,
    majority_label,
)
from agent.adjudication.prompt import ref_ids, render
from agent.adjudication.schema import (
    UNKNOWN,
    AdjudicationAnswer,
    AdjudicationRecord,
    AdjudicationResult,
)
from agent.adjudication.templates import PromptTemplate, load_template
from agent.adjudication.validate import (
    UngroundedAnswer,
    check,
    parse_json_answer,
    parse_label_answer,
)
from agent.llm.backend import LlmBackend
from agent.llm.errors import LlmError
from agent.llm.registry import backend_from_settings
from agent.settings import LlmSettings
from classifiers.prediction import Prediction
from retrieval.hits import ExemplarHit
from retrieval.label_guidance import LabelGuidance, LabelGuide

# fewshot_completion_v2 (a prefix shared by every document, for llama.cpp's KV-cache reuse) is
# ~9 % cheaper per document but decided worse on the benchmark: not the default
# (docs/benchmarks.md, "Latency of the local LLM").
DEFAULT_TEMPLATES = {"completion": "fewshot_completion_v1", "chat": "chat_json_v1"}


def candidate_labels(
    prediction: Prediction, hits: Sequence[ExemplarHit], labels: Sequence[str], top_k: int = 3
) -> list[str]:
    """The labels offered to the LLM: retrieved exemplars' labels and the classifier's top-k,
    restricted to the closed set. A tiny model picks better among a few than among sixteen."""
    offered = [h.label for h in sorted(hits, key=lambda h: -h.score)]
    offered += [label for label, _ in prediction.top_k(top_k)]
    allowed = set(labels)
    return [label for label in dict.fromkeys(offered) if label in allowed]


def answer_schema(labels: Sequence[str], evidence_ids: Sequence[str]) -> dict[str, Any]:
    """The answer's JSON schema with the label and evidence ids narrowed to what is allowed."""
    schema = AdjudicationAnswer.model_json_schema()
    schema["properties"]["label"]["enum"] = [*labels, UNKNOWN]
    if evidence_ids:
        schema["properties"]["evidence_ids"]["items"] = {
            "type": "string",
            "enum": list(evidence_ids),
        }
    schema["required"] = ["label", "evidence_ids", "rationale"]
    return schema


class Adjudicator:
    """Turns (text, prediction, retrieved exemplars) into an `AdjudicationResult`; the graph's
    `Adjudicator` (agent/services.py). Calls the LLM only under an LLM policy."""

    def __init__(
        self,
        cfg: LlmSettings,
        backend: LlmBackend | None = None,
        *,
        guidance: LabelGuidance | None = None,
        cache: PromptCache | None = None,
        template: PromptTemplate | None = None,
        snippet_chars: int | None = None,
        narrow_labels: bool = True,
    ) -> None:
        self.cfg = cfg
        self.policy = check_adjudication_policy(cfg.policy)
        self.backend = backend or backend_from_settings(cfg)
        self.guidance = guidance
        self.cache = cache
        self.template = template or load_template(DEFAULT_TEMPLATES.get(cfg.mode, cfg.mode))
        self.snippet_chars = snippet_chars or cfg.snippet_chars
        self.narrow_labels = narrow_labels
        self.params = self.backend.params() | {
            "mode": cfg.mode,
            "template": self.template.id,
            "narrow_labels": narrow_labels,
            "shots": cfg.shots,
            "snippet_chars": self.snippet_chars,
            "max_doc_chars": cfg.max_doc_chars,
        }

    @property
    def answers_with_label(self) -> bool:
        """Few-shot templates end in `Type:` and want a bare label; the others want JSON."""
        return self.template.id.startswith("fewshot")

    def adjudicate(
        self,
        text: str,
        prediction: Prediction,
        evidence: Sequence[ExemplarHit],
        labels: Sequence[str] | None = None,
    ) -> AdjudicationResult:
        """Decide one escalated document. Never raises for LLM trouble: that routes to a human."""
        hits = list(evidence)
        labels = sorted(labels or prediction.probabilities)
        majority = majority_label(hits)
        common: dict[str, Any] = {
            "policy": self.policy,
            "majority_label": majority,
            "classifier_label": prediction.label,
        }
        if self.policy not in LLM_POLICIES:
            decision = decide(
                self.policy, classifier_label=prediction.label, majority=majority, llm_label=None
            )
            cited = [h.doc_id for h in hits if h.label == decision.label]
            return AdjudicationResult(
                status="skipped", label=decision.label, reason=decision.reason,
                cited_ids=cited, **common,
            )  # fmt: skip

        shown = sorted(hits, key=lambda h: -h.score)[: self.cfg.shots]  # quoted in the prompt
        offered = candidate_labels(prediction, shown, labels) if self.narrow_labels else labels
        prompt = render(
            self.template,
            text=text,
            prediction=prediction,
            hits=shown,
            guidance=self._guides(prediction, shown),
            labels=offered,
            max_doc_chars=self.cfg.max_doc_chars,
            snippet_chars=self.snippet_chars,
            all_labels=labels,
            all_guidance=self.guidance.for_labels(labels) if self.guidance else [],
        )
        record = AdjudicationRecord(
            template_id=self.template.id,
            template_sha256=self.template.sha256,
            prompt=prompt,
            prompt_sha256=hashlib.sha256(prompt.encode()).hexdigest(),
            model=self.backend.model,
            params=self.params,
            retrieved=hits,
            label_guidance_sha256=self.guidance.sha256 if self.guidance else None,
        )
        answer: AdjudicationAnswer | None = None
        try:
            self._call(record, offered, shown)
            raw = record.raw_answer or ""
            if self.answers_with_label:
                answer = parse_label_answer(raw, shown)
            else:
                answer = parse_json_answer(raw, ref_ids(shown))
            check(answer, labels, shown)
        except (UngroundedAnswer, LlmError) as exc:
            return AdjudicationResult(
                status="ungrounded", reason=str(exc), answer=answer, record=record,
                cited_ids=answer.evidence_ids if answer else [], **common,
            )  # fmt: skip
        decision = decide(
            self.policy, classifier_label=prediction.label, majority=majority,
            llm_label=answer.label,
        )  # fmt: skip
        return AdjudicationResult(
            status="grounded", label=decision.label, reason=decision.reason,
            cited_ids=answer.evidence_ids, answer=answer, record=record, **common,
        )  # fmt: skip

    def _guides(self, prediction: Prediction, hits: Sequence[ExemplarHit]) -> list[LabelGuide]:
        """Guidance for the classifier's top-3 and the exemplars' labels."""
        if self.guidance is None:
            return []
        wanted = [label for label, _ in prediction.top_k(3)] + [h.label for h in hits]
        return self.guidance.for_labels(list(dict.fromkeys(wanted)))

    def _call(
        self, record: AdjudicationRecord, offered: Sequence[str], hits: Sequence[ExemplarHit]
    ) -> None:
        """Fill the record's raw answer, tokens and latency, from the cache when possible."""
        key = cache_key(record.prompt, record.model, record.params)
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            record.raw_answer = cached["raw_answer"]
            record.prompt_tokens = cached.get("prompt_tokens")
            record.completion_tokens = cached.get("completion_tokens")
            record.cached = True
            return
        try:
            if self.answers_with_label:
                reply = self.backend.complete_label(record.prompt, [*offered, UNKNOWN])
            else:
                schema = answer_schema(offered, list(ref_ids(hits)))
                reply = self.backend.chat_json(record.prompt, schema)
        except LlmError as exc:
            record.latency_ms = exc.latency_ms or 0.0
            raise
        record.raw_answer = reply.text
        record.prompt_tokens = reply.prompt_tokens
        record.completion_tokens = reply.completion_tokens
        record.latency_ms = reply.latency_ms
        if self.cache is not None:
            self.cache.put(
                key,
                {
                    "raw_answer": record.raw_answer,
                    "prompt_tokens": record.prompt_tokens,
                    "completion_tokens": record.completion_tokens,
                },
            )
