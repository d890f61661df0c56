"""The stand-in parts API tests hand to workers (PAPERTRAIL_WORKER_PARTS_FACTORY)."""

from __future__ import annotations

from typing import Any

from agent.settings import Settings
from tests.graph.fakes import ListRetriever, MarkerClassifier, ScriptedAdjudicator, invoice_fields


def fake_parts(settings: Settings) -> dict[str, Any]:
    return {"classifier": MarkerClassifier(), "extractor": invoice_fields,
            "retriever": ListRetriever(), "adjudicator": ScriptedAdjudicator("invoice")}


def broken_parts(settings: Settings) -> dict[str, Any]:
    raise RuntimeError("bundle 'b-0042' weights are corrupt (hash mismatch)")
