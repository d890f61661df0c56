"""Read a document's graph state from the checkpointer, without loading any model."""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver

from agent.state import DocumentState


class StateReader:
    def __init__(self, checkpointer: BaseCheckpointSaver) -> None:
        self.checkpointer = checkpointer

    def current(self, doc_id: str) -> DocumentState | None:
        found = self.checkpointer.get_tuple(
            {"configurable": {"thread_id": doc_id, "checkpoint_ns": ""}})
        if found is None:
            return None
        values = found.checkpoint.get("channel_values") or {}
        known = {k: v for k, v in values.items() if k in DocumentState.model_fields}
        if "doc_id" not in known:
            return None
        return DocumentState.model_validate(known)
