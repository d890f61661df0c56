"""Fixtures only the classifier tests use; the tiny bundle lives in tests/tiny_bundle.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.bundle import Registry
from tests.tiny_bundle import TINY  # noqa: F401  (re-exported for the classifier tests)


@pytest.fixture
def bundle_copy(tmp_path: Path, bundle: tuple[Registry, str]) -> tuple[Registry, str]:
    """A private copy of the bundle registry, safe to corrupt."""
    import shutil

    registry, bundle_id = bundle
    target = tmp_path / "bundles"
    shutil.copytree(registry.root, target)
    return Registry(target), bundle_id
