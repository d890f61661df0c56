"""A Celery worker for the API tests, on stand-in parts: `python -m tests.api.worker_launcher
--pool solo --hostname NAME`. Test-owned: production code never imports it; it hands the
stand-ins to `run_worker(settings, **overrides)` as any caller may."""

from __future__ import annotations

import argparse
from typing import Any

from agent.settings import Settings
from api.worker import run_worker
from tests.graph.fakes import ListRetriever, MarkerClassifier, ScriptedAdjudicator, invoice_fields


def stand_in_parts() -> dict[str, Any]:
    """A classifier the page steers (`Confidence NN`), the fixture invoice's fields, two
    exemplars and an adjudicator that answers `invoice`."""
    return {"classifier": MarkerClassifier(), "extractor": invoice_fields,
            "retriever": ListRetriever(), "adjudicator": ScriptedAdjudicator("invoice")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", default="solo")
    parser.add_argument("--hostname", default=None)
    parser.add_argument("--concurrency", type=int, default=None)
    parser.add_argument("--real-classifier", action="store_true",
                        help="Use the data folder's active bundle, not the stand-in.")
    parser.add_argument("--real-retriever", action="store_true",
                        help="Use the default retriever (Qdrant local mode), not the stand-in.")
    parser.add_argument("--real-adjudicator", action="store_true",
                        help="Use the adjudicator PAPERTRAIL_LLM_* configure, not the stand-in.")
    args = parser.parse_args()
    parts = stand_in_parts()
    for flag, part in ((args.real_classifier, "classifier"),
                       (args.real_retriever, "retriever"),
                       (args.real_adjudicator, "adjudicator")):
        if flag:
            del parts[part]
    run_worker(Settings(), concurrency=args.concurrency, pool=args.pool, hostname=args.hostname,
               **parts)


if __name__ == "__main__":
    main()
