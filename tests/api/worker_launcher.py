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
    args = parser.parse_args()
    parts = stand_in_parts()
    if args.real_classifier:
        del parts["classifier"]
    run_worker(Settings(), concurrency=args.concurrency, pool=args.pool, hostname=args.hostname,
               **parts)


if __name__ == "__main__":
    main()
