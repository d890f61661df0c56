"""The document state machine. Reads like the diagram in DESIGN.md:

upload ─▶ ingest ─▶ ocr ─▶ classify ─┬─ confident ──────────────────────────▶ extract ─▶ rules ─┬─▶ finalize
                                     ├─ ambiguous ─▶ retrieve ─▶ adjudicate ─┘                  │
                                     └─ unreadable / ungrounded / escalated ─▶ prepare_review ◀─┘
                                                                  ─▶ human_review (interrupt) ─▶ finalize
"""  # noqa: E501

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from langgraph.graph import END, START, StateGraph

from agent.lineage import digest
from agent.nodes import check, classify, decide, intake
from agent.services import Services
from agent.state import DocumentState

NodeFn = Callable[[DocumentState, Services], tuple[dict[str, Any], dict[str, Any]]]


def route_after_ocr(state: DocumentState) -> str:
    return "unreadable" if state.band == "unreadable" else "readable"


def route_after_classify(state: DocumentState) -> str:
    return "confident" if state.band == "confident" else "ambiguous"


def route_after_adjudicate(state: DocumentState) -> str:
    return "to_person" if state.band in ("ungrounded", "escalated") else "trusted"


def route_after_rules(state: DocumentState) -> str:
    return "needs_review" if state.review_reasons else "auto"


def build_graph(services: Services) -> StateGraph:
    graph = StateGraph(DocumentState)

    def add(name: str, fn: NodeFn) -> None:
        graph.add_node(name, recorded(name, fn, services))

    add("ingest", intake.ingest)
    add("ocr", intake.ocr)
    add("classify", classify.classify)
    add("retrieve", classify.retrieve)
    add("adjudicate", classify.adjudicate)
    add("extract", check.extract)
    add("rules", check.rules)
    add("prepare_review", decide.prepare_review)
    add("human_review", decide.human_review)
    add("finalize", decide.finalize)

    graph.add_edge(START, "ingest")
    graph.add_edge("ingest", "ocr")
    graph.add_conditional_edges("ocr", route_after_ocr,
                                {"readable": "classify", "unreadable": "prepare_review"})
    graph.add_conditional_edges("classify", route_after_classify,
                                {"confident": "extract", "ambiguous": "retrieve"})
    graph.add_edge("retrieve", "adjudicate")
    graph.add_conditional_edges("adjudicate", route_after_adjudicate,
                                {"trusted": "extract", "to_person": "prepare_review"})
    graph.add_edge("extract", "rules")
    graph.add_conditional_edges("rules", route_after_rules,
                                {"auto": "finalize", "needs_review": "prepare_review"})
    graph.add_edge("prepare_review", "human_review")
    graph.add_edge("human_review", "finalize")
    graph.add_edge("finalize", END)
    return graph


def recorded(name: str, fn: NodeFn, services: Services) -> Callable[[DocumentState], dict]:
    """Run a node, then append its lineage record: digests of what went in and came out,
    plus the versions and evidence the node reports."""

    def node(state: DocumentState) -> dict[str, Any]:
        started = time.perf_counter()
        update, provenance = fn(state, services)
        services.lineage.append(state.doc_id, name, {
            "input_digest": digest(state.model_dump(mode="json")),
            "output_digest": digest(update),
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
            **provenance,
        })
        return update

    node.__name__ = name
    return node


def make_graph(config: dict[str, Any] | None = None) -> Any:
    """Factory for LangGraph's own tooling (`langgraph.json`): the graph on default settings."""
    from agent.settings import Settings
    from agent.wiring import build_services

    return build_graph(build_services(Settings())).compile()
