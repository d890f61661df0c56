from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from agent.ingest import ingest_bytes
from agent.pipeline import Pipeline
from agent.settings import Settings
from agent.store import Store
from classifiers.bundle import Registry
from evals import fixtures
from tests.graph.fakes import MarkerClassifier, invoice_fields


@pytest.fixture
def open_pipeline(db_settings: Settings) -> Iterator[Callable[..., Pipeline]]:
    """Open pipelines on the test's settings (SQLite or PostgreSQL); all closed at the end."""
    stack = ExitStack()

    def opener(settings: Settings | None = None, **parts: Any) -> Pipeline:
        parts.setdefault("classifier", MarkerClassifier())
        parts.setdefault("extractor", invoice_fields)
        return stack.enter_context(Pipeline.open(settings or db_settings, **parts))

    yield opener
    stack.close()


@pytest.fixture
def data_dir(tmp_path: Path, bundle: tuple[Registry, str]) -> Path:
    """A data folder with the tiny bundle active."""
    registry, bundle_id = bundle
    data = tmp_path / "var"
    shutil.copytree(registry.root, data / "bundles")
    Registry(data / "bundles").activate(bundle_id)
    return data


def invoice_lines(*extra: str, date: str = "2026-03-14", number: str = "INV-20417") -> list[str]:
    lines = [line.replace("2026-03-14", date).replace("INV-20417", number)
             for line in fixtures.INVOICE_LINES]
    return [*lines, *extra]


def upload(settings: Settings, lines: list[str], name: str = "doc.png") -> str:
    store = Store.from_settings(settings)
    try:
        return ingest_bytes(fixtures.png_bytes(lines), name, store, settings).document.id
    finally:
        store.db.dispose()
