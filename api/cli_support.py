"""What every CLI command shares: settings (with CLI overrides), the store, error printing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from agent.errors import PapertrailError
from agent.settings import Settings
from agent.store import Store

console = Console()
err_console = Console(stderr=True)

_overrides: dict[str, Any] = {}
_settings: Settings | None = None
_store: Store | None = None

F = TypeVar("F", bound=Callable[..., Any])


def set_overrides(data_dir: Path | None) -> None:
    global _settings, _store
    _overrides.clear()
    if data_dir is not None:
        _overrides["data_dir"] = data_dir
    _settings, _store = None, None


def settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings(**_overrides)
    return _settings


def store() -> Store:
    global _store
    if _store is None:
        _store = Store.from_settings(settings())
    return _store


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a PapertrailError as one clear line and exit non-zero, without a traceback."""
    try:
        yield
    except PapertrailError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None


def print_error(exc: PapertrailError) -> None:
    err_console.print(f"[bold red]error[/] {escape(f'[{exc.code}]')} {escape(exc.message)}",
                      highlight=False)


def handles_user_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with user_errors():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]

