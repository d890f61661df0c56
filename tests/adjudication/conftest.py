from __future__ import annotations

import pytest

from classifiers.prediction import Prediction
from retrieval.hits import ExemplarHit
from tests.llm_server import llm_server  # noqa: F401 - the real local server, session-wide

LABELS = ["email", "invoice", "letter", "memo"]


@pytest.fixture
def prediction() -> Prediction:
    return Prediction(
        label="letter",
        probabilities={"letter": 0.45, "memo": 0.35, "invoice": 0.15, "email": 0.05},
        bundle_id="test-bundle",
        model="baseline",
    )


@pytest.fixture
def hits() -> list[ExemplarHit]:
    return [
        ExemplarHit(
            doc_id="ex-memo-1", label="memo", score=0.81, text="MEMO To: all staff From: HR"
        ),
        ExemplarHit(doc_id="ex-memo-2", label="memo", score=0.77, text="Memorandum Re: budget"),
        ExemplarHit(doc_id="ex-let-1", label="letter", score=0.70, text="Dear Mr Smith, thank you"),
    ]
