"""Errors raised by retrieval, written for the person who must act on them."""

from __future__ import annotations

from papertrail.errors import PapertrailError


class RetrievalError(PapertrailError):
    """Base class for retrieval failures."""

    code = "retrieval_error"


class EmbeddingModelMissing(RetrievalError):
    """The embedding weights could not be found."""

    code = "embedding_model_missing"
    kind = "config"


class LabelGuidanceError(RetrievalError):
    """The label guidance YAML is missing or malformed."""

    code = "label_guidance_invalid"
    kind = "config"


class IndexUnavailable(RetrievalError):
    """The Qdrant index could not be opened or reached."""

    code = "index_unavailable"
    kind = "unavailable"
    retryable = True
