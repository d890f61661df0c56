"""The packaged MiniLM loads offline and embeds in batches (slow: loads the real model)."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.embeddings import SentenceTransformerEmbedder


@pytest.mark.slow
def test_packaged_minilm_embeds_offline():
    embedder = SentenceTransformerEmbedder(batch_size=2)
    vectors = embedder.embed(["an invoice with a total", "invoice total due", "dear sir", ""])
    assert vectors.shape == (4, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert len(embedder.weight_hash) == 64 and embedder.model_name
