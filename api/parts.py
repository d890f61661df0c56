"""Where the pipeline's parts come from: one place for the API, the workers and the tests.

By default `Pipeline.open(settings)` wires the real parts from settings (active classifier
bundle, extractor, retriever, adjudicator). `PAPERTRAIL_WORKER_PARTS_FACTORY=module:function`
names a function `(settings) -> dict` of keyword parts to use instead (tests use stand-ins).
"""

from __future__ import annotations

import importlib
from typing import Any

from agent.errors import PapertrailError
from agent.settings import Settings


class PartsFactoryError(PapertrailError):
    code = "parts_factory_invalid"


def load_parts(settings: Settings) -> dict[str, Any]:
    spec = settings.worker.parts_factory
    if not spec:
        return {}
    module_name, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise PartsFactoryError(
            f"PAPERTRAIL_WORKER_PARTS_FACTORY={spec!r} cannot be loaded ({exc}); give "
            "'package.module:function'.") from exc
    return dict(factory(settings))
