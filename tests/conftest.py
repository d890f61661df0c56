"""Shared fixtures: an isolated data folder per test, and the database backends to run on."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from agent.settings import Settings
from agent.store import Store

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

POSTGRES_URL = os.environ.get(
    "PAPERTRAIL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def postgres_unavailable_reason() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {str(exc).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def postgres_reachable() -> None:
    reason = postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture
def postgres_schema_url(postgres_reachable: None) -> Iterator[str]:
    """A fresh schema on the PostgreSQL server for one test (documents, lineage, checkpoints),
    dropped afterwards; skips, saying why, when the server is unreachable."""
    schema = f"pt_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", ocr_workers=2)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings on each database backend; the PostgreSQL variant gets a clean schema."""
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path / "var", ocr_workers=2)
        return
    url = request.getfixturevalue("postgres_schema_url")
    yield Settings(data_dir=tmp_path / "var", database_url=url, ocr_workers=2)


@pytest.fixture
def store(db_settings: Settings) -> Iterator[Store]:
    store = Store.from_settings(db_settings)
    yield store
    store.db.dispose()


def blob_files(settings: Settings) -> list[Path]:
    root = settings.blob_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
