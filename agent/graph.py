"""The document state machine. Reads like the diagram in DESIGN.md:

upload ─▶ ingest ─▶ ocr ─▶ classify ─┬─ confident ──────────────────────────▶ extract ─▶ rules ─┬─▶ finalize
            │                        ├─ ambiguous ─▶ retrieve ─▶ adjudicate ─┘                  │
            │                        └─ unreadable / ungrounded / escalated ─▶ prepare_review ◀─┘
            │                                                     ─▶ human_review (interrupt) ─▶ finalize
            └─ already decided (any thread): the recorded outcome, nothing runs again ─▶ END

Its invariants hold whoever runs it (`Pipeline`, a worker, LangGraph's own server): a decided
document is never run again, a review is decided once (`human_review` claims it), a malformed
decision is answered by asking again, and a replayed step is logged once.
"""  # noqa: E501

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.errors import PapertrailError
from agent.lineage import digest
from agent.nodes import NodeResult, check, classify, decide, intake
from agent.services import Services
from agent.settings import Settings
from agent.state import DocumentState

NodeFn = Callable[[DocumentState, Services], NodeResult]


def route_after_ingest(state: DocumentState) -> str:
    return "decided" if state.status in ("approved", "rejected") else "new"


def route_after_ocr(state: DocumentState) -> str:
    return "unreadable" if state.band == "unreadable" else "readable"


def route_after_classify(state: DocumentState) -> str:
    return "confident" if state.band == "confident" else "ambiguous"


def route_after_adjudicate(state: DocumentState) -> str:
    return "to_person" if state.band in ("ungrounded", "escalated") else "trusted"


def route_after_rules(state: DocumentState) -> str:
    return "needs_review" if state.review_reasons else "auto"


class PapertrailRunError(RuntimeError):
    """A PapertrailError in a run on LangGraph's own server, re-raised with its code and message:
    the server shows the message of built-in error types only, anything else as "An internal
    error occurred"."""


def build_graph(services: Services, surface_errors: bool = False) -> StateGraph:
    """The graph on these services. `surface_errors` re-raises a PapertrailError as a
    `PapertrailRunError` (for LangGraph's server); callers in this project keep the typed error."""
    graph = StateGraph(DocumentState)

    def add(name: str, fn: NodeFn) -> None:
        graph.add_node(name, recorded(name, fn, services, surface_errors))

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
    graph.add_conditional_edges("ingest", route_after_ingest, {"new": "ocr", "decided": END})
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


def recorded(name: str, fn: NodeFn, services: Services,
             surface_errors: bool = False) -> Callable[[DocumentState], dict]:
    """Run a node, then append its lineage record: digests of what went in and came out,
    plus the versions and evidence the node reports. The record's dedupe key is the node and
    its input digest, so a step replayed after a crash (same node, same input) is logged once."""

    def node(state: DocumentState) -> dict[str, Any]:
        started = time.perf_counter()
        input_digest = digest(state.model_dump(mode="json"))
        try:
            update, provenance = fn(state, services)
        except PapertrailError as exc:
            if not surface_errors:
                raise
            raise PapertrailRunError(f"[{exc.code}] {exc.message}") from exc
        services.lineage.append(state.doc_id, name, {
            "input_digest": input_digest,
            "output_digest": digest(update),
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
            **provenance,
        }, dedupe_key=f"{name}:{input_digest}")
        return update

    node.__name__ = name
    return node


_server_services: Services | None = None
_server_services_lock = threading.Lock()


def _services_for_server() -> Services:
    """Built once per server process, from settings alone; a failure is retried next time."""
    global _server_services
    with _server_services_lock:
        if _server_services is None:
            _server_services = Services.from_settings(Settings())
        return _server_services


async def make_graph() -> CompiledStateGraph:
    """Factory for LangGraph's own server (`langgraph.json`): the graph on default settings.

    Building the services is blocking work (folders, SQLite, rule YAML, the classifier bundle),
    so it runs in a thread, never on the server's event loop, and once per process. The server
    adds its own checkpointer.
    """
    try:
        services = await asyncio.to_thread(_services_for_server)
    except PapertrailError as exc:  # e.g. no active bundle: say so to the client
        raise PapertrailRunError(f"[{exc.code}] {exc.message}") from exc
    return build_graph(services, surface_errors=True).compile()
