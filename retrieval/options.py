"""Options of embeddings and the exemplar index (`PAPERTRAIL_RETRIEVAL_*`); `agent.settings`
composes them into the one settings object."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RetrievalSettings(BaseSettings):
    """Embeddings and the Qdrant index of exemplars and policies.

    `QDRANT_URL` / `QDRANT_API_KEY` are honoured as aliases of the prefixed names.
    """

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_RETRIEVAL_", extra="ignore")

    qdrant_url: str | None = Field(
        None,
        validation_alias=AliasChoices(
            "PAPERTRAIL_RETRIEVAL_QDRANT_URL", "QDRANT_URL", "qdrant_url"
        ),
        description="Qdrant server URL; unset = local mode on a folder under the index dir.",
    )
    qdrant_api_key: str | None = Field(
        None,
        validation_alias=AliasChoices(
            "PAPERTRAIL_RETRIEVAL_QDRANT_API_KEY", "QDRANT_API_KEY", "qdrant_api_key"
        ),
    )
    collection_prefix: str = Field(
        "", description="Prefix for collection names on a shared server."
    )
    k: int = Field(4, ge=1, le=50, description="Exemplars retrieved per adjudication.")
    embedding_model: str | None = Field(
        None, description="Path of a sentence-transformers model; default: the packaged MiniLM."
    )
    embedding_batch_size: int = Field(32, ge=1)
    exemplar_chars: int = Field(2000, ge=100, description="Text kept per exemplar in the index.")
    reopen_after_seconds: float = Field(
        30.0, gt=0, description="After the index could not be opened (e.g. its local folder "
        "held by another process), how long a worker answers `no evidence` before trying again.")
    policies_file: Path | None = Field(
        None, description="YAML of label policies; default: retrieval/policies.yaml."
    )
