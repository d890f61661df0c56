"""Errors raised by retrieval, written for the person who must act on them."""

from __future__ import annotations


class RetrievalError(RuntimeError):
    """Base class for retrieval failures."""


class EmbeddingModelMissing(RetrievalError):
    """The embedding weights could not be found."""


class PolicyFileError(RetrievalError):
    """The policies YAML is missing or malformed."""


class IndexUnavailable(RetrievalError):
    """The Qdrant index could not be opened or reached."""
