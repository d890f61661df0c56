"""TF-IDF + logistic regression: over word 1-2-grams the baseline and fallback; over character
n-grams an ensemble member robust to OCR errors.

Saved as plain JSON + a numpy archive (no pickle), so a bundle can be loaded without trusting
arbitrary code, and predicted with the stored vocabulary, idf and weights alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from classifiers.errors import BundleCorruptError

WORD_PARAMS = {
    "ngram_range": (1, 2),
    "sublinear_tf": True,
    "lowercase": True,
    "strip_accents": "unicode",
    "token_pattern": r"(?u)\b[^\W\d_][^\W\d_]+\b",  # words of letters; OCR digits are noise
}
CHAR_PARAMS = {
    "analyzer": "char_wb",
    "ngram_range": (3, 5),
    "sublinear_tf": True,
    "lowercase": True,
    "strip_accents": "unicode",
}


class BaselineClassifier:
    """TF-IDF (word 1-2-grams) + multinomial logistic regression; `logits()` feeds calibration."""

    def __init__(self, labels: Sequence[str], vectorizer: TfidfVectorizer,
                 coef: np.ndarray, intercept: np.ndarray,
                 params: dict[str, object] | None = None) -> None:
        self.params = dict(params or WORD_PARAMS)
        self.labels = list(labels)
        self.vectorizer = vectorizer
        self.coef = coef
        self.intercept = intercept

    @classmethod
    def fit(cls, texts: Sequence[str], y: Sequence[int], labels: Sequence[str],
            c: float = 10.0, seed: int = 0,
            params: dict[str, object] | None = None) -> BaselineClassifier:
        vectorizer = fit_vectorizer(texts, params)
        return cls.fit_matrix(vectorizer, vectorizer.transform(texts), y, labels, c, seed,
                              params)

    @classmethod
    def fit_matrix(cls, vectorizer: TfidfVectorizer, x: Any, y: Sequence[int],
                   labels: Sequence[str], c: float = 10.0, seed: int = 0,
                   params: dict[str, object] | None = None,
                   warm: LogisticRegression | None = None) -> BaselineClassifier:
        """Fit the regression on rows `x` that `vectorizer` already produced. `warm`, a
        regression fitted on similar rows, starts the solver there (same optimum, fewer steps:
        cross-fitting refits on overlapping folds)."""
        model = warm or LogisticRegression(C=c, max_iter=2000, class_weight="balanced",
                                           random_state=seed, warm_start=True)
        model.fit(x, np.asarray(y))
        coef, intercept = rows_per_class(model)
        missing = sorted(set(range(len(labels))) - set(model.classes_.tolist()))
        if missing:
            raise ValueError(f"training targets lack classes {missing}")
        return cls(labels, vectorizer, np.array(coef), np.array(intercept), params)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        x = self.vectorizer.transform(list(texts))
        return np.asarray(x @ self.coef.T) + self.intercept

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        vocab = {term: int(i) for term, i in self.vectorizer.vocabulary_.items()}
        (folder / "vocabulary.json").write_text(json.dumps(vocab, sort_keys=True))
        (folder / "config.json").write_text(json.dumps({
            "labels": self.labels,
            "vectorizer": {k: list(v) if isinstance(v, tuple) else v
                           for k, v in self.params.items()},
        }, indent=2))
        np.savez(folder / "weights.npz", idf=self.vectorizer.idf_, coef=self.coef,
                 intercept=self.intercept)

    @classmethod
    def load(cls, folder: Path) -> BaselineClassifier:
        try:
            config = json.loads((folder / "config.json").read_text())
            vocab = json.loads((folder / "vocabulary.json").read_text())
            with np.load(folder / "weights.npz", allow_pickle=False) as arrays:
                idf, coef, intercept = arrays["idf"], arrays["coef"], arrays["intercept"]
        except (OSError, ValueError, KeyError) as exc:
            raise BundleCorruptError(
                f"Baseline model in {folder} is unreadable ({exc}). Re-train the bundle with "
                "`papertrail train`."
            ) from exc
        params = dict(config["vectorizer"])
        params["ngram_range"] = tuple(params["ngram_range"])
        vectorizer = TfidfVectorizer(vocabulary=vocab, **params)
        vectorizer.idf_ = idf
        if coef.shape != (len(config["labels"]), len(vocab)):
            raise BundleCorruptError(
                f"Baseline weights in {folder} have shape {coef.shape}, expected "
                f"({len(config['labels'])}, {len(vocab)}). Re-train the bundle."
            )
        return cls(config["labels"], vectorizer, coef, intercept, params)


def fit_vectorizer(texts: Sequence[str], params: dict[str, object] | None = None,
                   min_df: int = 2, max_features: int = 50_000) -> TfidfVectorizer:
    """The TF-IDF vocabulary and idf of `texts` (labels play no part)."""
    min_df = min_df if len(texts) >= 50 else 1
    vectorizer = TfidfVectorizer(min_df=min_df, max_features=max_features,
                                 **dict(params or WORD_PARAMS))
    return vectorizer.fit(texts)


def rows_per_class(model: LogisticRegression) -> tuple[np.ndarray, np.ndarray]:
    """`coef_` and `intercept_` with one row per class in `model.classes_`.

    For two classes sklearn keeps a single row (the second class's logit minus the first's);
    it is expanded to two logits with the first at zero.
    """
    if len(model.classes_) == 2:
        coef = np.vstack([np.zeros_like(model.coef_[0]), model.coef_[0]])
        return coef, np.array([0.0, model.intercept_[0]])
    return model.coef_, model.intercept_
