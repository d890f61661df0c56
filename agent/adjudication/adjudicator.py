"""Adjudicate an escalated document: prompt the LLM with grounding, validate, apply the policy."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel, BaseLanguageModel
from langchain_core.messages import HumanMessage

from agent.adjudication.cache import PromptCache, cache_key
from agent.adjudication.policy import LLM_POLICIES, check_policy, decide, majority_label
from agent.adjudication.prompt import ref_ids, render
from agent.adjudication.schema import (
    AdjudicationAnswer,
    AdjudicationRecord,
    AdjudicationResult,
    RetrievedRef,
)
from agent.adjudication.templates import PromptTemplate, load_template
from agent.adjudication.validate import (
    UngroundedAnswer,
    check,
    parse_json_answer,
    parse_label_answer,
)
from agent.llm.client import model_params
from agent.settings import LlmSettings
from classifiers.prediction import Prediction
from retrieval.index import ExemplarHit
from retrieval.policies import Policy

DEFAULT_TEMPLATES = {"completion": "fewshot_completion_v1", "chat": "chat_json_v1"}


def label_grammar(labels: Sequence[str]) -> str:
    """A llama.cpp GBNF grammar that only admits one of `labels` (or `unknown`)."""
    options = " | ".join(f'"{label}"' for label in [*labels, "unknown"])
    return f'root ::= " "? ({options})'


def candidate_labels(
    prediction: Prediction, hits: Sequence[ExemplarHit], labels: Sequence[str], top_k: int = 3
) -> list[str]:
    """The labels offered to the LLM: retrieved exemplars' labels and the classifier's top-k,
    restricted to the closed set. A tiny model picks better among a few than among sixteen."""
    offered = [h.label for h in sorted(hits, key=lambda h: -h.score)]
    offered += [label for label, _ in prediction.top_k(top_k)]
    allowed = set(labels)
    return [label for label in dict.fromkeys(offered) if label in allowed]


def json_schema(labels: Sequence[str], evidence_ids: Sequence[str]) -> dict[str, Any]:
    """The answer schema with the label and evidence ids narrowed to what is allowed."""
    schema = AdjudicationAnswer.model_json_schema()
    schema["properties"]["label"]["enum"] = [*labels, "unknown"]
    if evidence_ids:
        schema["properties"]["evidence_ids"]["items"] = {
            "type": "string",
            "enum": list(evidence_ids),
        }
    schema["required"] = ["label", "evidence_ids", "rationale"]
    return schema


def _error_reason(exc: Exception) -> str:
    """Say which failure it was: timeout, server down, or another error."""
    name = type(exc).__name__
    if isinstance(exc, TimeoutError) or "Timeout" in name:
        return f"LLM call timed out ({name})"
    if isinstance(exc, ConnectionError) or "Connection" in name:
        return f"LLM server unreachable ({name}: {exc})"
    return f"LLM call failed ({name}: {exc})"


class Adjudicator:
    """Turns (text, prediction, retrieved exemplars, policies) into an `AdjudicationResult`."""

    def __init__(
        self,
        cfg: LlmSettings,
        llm: BaseLanguageModel | None = None,
        *,
        cache: PromptCache | None = None,
        template: PromptTemplate | None = None,
        snippet_chars: int = 300,
        use_grammar: bool = True,
        narrow_labels: bool = True,
    ) -> None:
        self.cfg = cfg
        self.policy = check_policy(cfg.policy)
        self._llm = llm
        self.cache = cache
        self.template = template or load_template(DEFAULT_TEMPLATES.get(cfg.mode, cfg.mode))
        self.snippet_chars = snippet_chars
        self.use_grammar = use_grammar
        self.narrow_labels = narrow_labels
        self.params = model_params(cfg) | {
            "template": self.template.id,
            "grammar": use_grammar,
            "narrow_labels": narrow_labels,
            "snippet_chars": snippet_chars,
            "max_doc_chars": cfg.max_doc_chars,
        }

    @property
    def llm(self) -> BaseLanguageModel:
        if self._llm is None:
            from agent.llm.client import chat_model, completion_model

            self._llm = (
                chat_model(self.cfg) if self.cfg.mode == "chat" else completion_model(self.cfg)
            )
        return self._llm

    def adjudicate(
        self,
        text: str,
        prediction: Prediction,
        hits: Sequence[ExemplarHit],
        policies: Sequence[Policy] = (),
        *,
        labels: Sequence[str] | None = None,
        policy: str | None = None,
        policies_sha256: str | None = None,
    ) -> AdjudicationResult:
        """Decide one escalated document. Never raises for LLM trouble: that routes to a human."""
        policy = check_policy(policy or self.policy)
        labels = sorted(labels or prediction.probabilities)
        offered = candidate_labels(prediction, hits, labels) if self.narrow_labels else labels
        majority = majority_label(hits)
        common = {
            "policy": policy,
            "majority_label": majority,
            "classifier_label": prediction.label,
        }
        if policy not in LLM_POLICIES:
            decision = decide(
                policy, classifier_label=prediction.label, majority=majority, llm_label=None
            )
            return AdjudicationResult(
                route="auto" if decision.label else "human",
                label=decision.label,
                status="skipped",
                reason=decision.reason,
                **common,
            )

        prompt = render(
            self.template,
            text=text,
            prediction=prediction,
            hits=hits,
            policies=policies,
            labels=offered,
            max_doc_chars=self.cfg.max_doc_chars,
            snippet_chars=self.snippet_chars,
        )
        record = AdjudicationRecord(
            template_id=self.template.id,
            template_sha256=self.template.sha256,
            prompt=prompt,
            prompt_sha256=hashlib.sha256(prompt.encode()).hexdigest(),
            model=self.cfg.resolved_model,
            params=self.params,
            retrieved=[RetrievedRef(doc_id=h.doc_id, label=h.label, score=h.score) for h in hits],
            policies_sha256=policies_sha256,
        )
        answer: AdjudicationAnswer | None = None
        try:
            self._call(record, offered, hits)
            raw = record.raw_answer or ""
            if self.template.id.startswith("fewshot"):
                answer = parse_label_answer(raw, hits)
            else:
                answer = parse_json_answer(raw, ref_ids(hits))
            check(answer, labels, hits)
        except UngroundedAnswer as exc:
            return AdjudicationResult(
                route="human", label=None, status="ungrounded", reason=str(exc),
                answer=answer, record=record, **common,
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - any LLM failure routes to a person
            return AdjudicationResult(
                route="human", label=None, status="ungrounded", reason=_error_reason(exc),
                record=record, **common,
            )  # fmt: skip
        decision = decide(
            policy, classifier_label=prediction.label, majority=majority, llm_label=answer.label
        )
        return AdjudicationResult(
            route="auto" if decision.label else "human",
            label=decision.label,
            status="grounded",
            reason=decision.reason,
            answer=answer,
            record=record,
            **common,
        )

    def _call(self, record: AdjudicationRecord, labels: Sequence[str], hits: Sequence[ExemplarHit]):
        """Fill the record's raw answer, tokens and latency, from the cache when possible."""
        key = cache_key(record.prompt, record.model, record.params)
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            record.raw_answer = cached["raw_answer"]
            record.prompt_tokens = cached.get("prompt_tokens")
            record.completion_tokens = cached.get("completion_tokens")
            record.cached = True
            return
        start = time.perf_counter()
        try:
            if isinstance(self.llm, BaseChatModel):
                self._call_chat(record, labels, hits)
            else:
                self._call_completion(record, labels)
        finally:
            record.latency_ms = (time.perf_counter() - start) * 1000
        if self.cache is not None:
            self.cache.put(
                key,
                {
                    "raw_answer": record.raw_answer,
                    "prompt_tokens": record.prompt_tokens,
                    "completion_tokens": record.completion_tokens,
                },
            )

    def _call_completion(self, record: AdjudicationRecord, labels: Sequence[str]) -> None:
        kwargs: dict[str, Any] = {"stop": ["\n"]}
        if self.use_grammar:
            kwargs["extra_body"] = {"grammar": label_grammar(labels)}
        result = self.llm.generate([record.prompt], **kwargs)
        record.raw_answer = result.generations[0][0].text
        usage = (result.llm_output or {}).get("token_usage", {})
        record.prompt_tokens = usage.get("prompt_tokens")
        record.completion_tokens = usage.get("completion_tokens")

    def _call_chat(
        self, record: AdjudicationRecord, labels: Sequence[str], hits: Sequence[ExemplarHit]
    ) -> None:
        kwargs: dict[str, Any] = {}
        if self.use_grammar:
            schema = json_schema(labels, list(ref_ids(hits)))
            kwargs["extra_body"] = {
                "max_tokens": self.cfg.max_tokens,
                "response_format": {"type": "json_object", "schema": schema},
            }
        message = self.llm.invoke([HumanMessage(record.prompt)], **kwargs)
        record.raw_answer = message.content if isinstance(message.content, str) else str(message)
        usage = getattr(message, "usage_metadata", None) or {}
        record.prompt_tokens = usage.get("input_tokens")
        record.completion_tokens = usage.get("output_tokens")
