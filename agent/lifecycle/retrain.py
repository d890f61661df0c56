"""Training rows from reviewed documents, read from the OCR cache the graph filled (never
re-OCR'd), merged into the original corpus for `papertrail retrain`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from agent.lifecycle.reviewed import ReviewedDoc, latest_record
from agent.ocr.cache import OcrCache
from agent.ocr.models import OcrEngineInfo
from agent.ocr.signals import document_signals
from agent.settings import Settings
from agent.store import Store
from classifiers.corpus import Corpus, Document


@dataclass
class ReviewedRows:
    corpus: Corpus
    used: list[ReviewedDoc]
    skipped: Counter[str] = field(default_factory=Counter)


def reviewed_rows(store: Store, settings: Settings, reviewed: list[ReviewedDoc]) -> ReviewedRows:
    """One corpus row per reviewed document: the text and page signals the graph classified
    (from the OCR cache entry its `ocr` lineage record names) with the reviewer's label."""
    cache = OcrCache(settings.cache_dir / "ocr")
    documents, used, skipped = [], [], Counter()
    for review in reviewed:
        record = latest_record(store, review.doc_id, "ocr")
        if not record or not record.get("cache_key") or not record.get("engine"):
            skipped["no OCR record"] += 1
            continue
        result = cache.get(record["cache_key"], OcrEngineInfo.model_validate(record["engine"]))
        if result is None:
            skipped["OCR not in the cache"] += 1
            continue
        if not result.text.strip():
            skipped["no text"] += 1
            continue
        try:
            data = store.blobs.get(review.doc_id)
        except OSError:
            data = None  # the thumbnail signal is left out, the text still counts
        documents.append(Document(text=result.text, label=review.label,
                                  source=f"review:{review.doc_id}",
                                  signals=document_signals(result, data)))
        used.append(review)
    return ReviewedRows(Corpus(tuple(documents)), used, skipped)


def merge(corpus: Corpus, reviewed: Corpus) -> tuple[Corpus, int]:
    """The corpus plus the reviewed rows; a corpus row with the same text as a reviewed one is
    replaced by it (the person's label wins, and no text sits in two cross-fitting folds).
    Returns the merged corpus and how many corpus rows were replaced."""
    texts = {d.text for d in reviewed.documents}
    kept = tuple(d for d in corpus.documents if d.text not in texts)
    return Corpus(kept + reviewed.documents), len(corpus) - len(kept)
