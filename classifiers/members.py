"""The members of a bundle's ensemble, one registry: each turns documents into class logits.

A member kind is trained in two steps so that cross-fitting stays cheap: `prepare` computes what
does not depend on labels once for every document (texts, frozen-encoder embeddings, layout
vectors), and `fit` trains on any subset of rows. A fitted member answers `logits(docs)` for new
documents and saves itself into its own folder of the bundle (no pickle).

- `baseline`: TF-IDF over word 1-2-grams + logistic regression. Always present: the fallback.
- `char`: TF-IDF over character 3-5-grams inside words + logistic regression; robust to OCR
  errors that break words.
- `bert`: the BERT encoder (mean pooling) + a linear layer: a linear probe on the frozen encoder
  (`epochs=0`, the default: its embeddings are computed once for all folds) or fine-tuned.
- `layout`: standardised layout features of the OCR word boxes + logistic regression.
- `page`: a thumbnail of the first page (classifiers.page_image) + logistic regression.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from classifiers.baseline import (
    CHAR_PARAMS,
    WORD_PARAMS,
    BaselineClassifier,
    fit_vectorizer,
    rows_per_class,
)
from classifiers.errors import BundleCorruptError
from classifiers.options import ClassifierSettings
from classifiers.signals import DocumentSignals


@dataclass(frozen=True)
class Docs:
    """The documents a member reads: texts and their page signals, row-aligned."""

    texts: list[str]
    signals: list[DocumentSignals]

    def take(self, rows: np.ndarray) -> Docs:
        return Docs([self.texts[i] for i in rows], [self.signals[i] for i in rows])

    def __len__(self) -> int:
        return len(self.texts)


class FittedMember(ABC):
    @abstractmethod
    def logits(self, docs: Docs) -> np.ndarray: ...

    @abstractmethod
    def save(self, folder: Path) -> None: ...


class MemberKind(ABC):
    """How one kind of member is prepared, fitted and loaded."""

    name: str

    def __init__(self, cfg: ClassifierSettings) -> None:
        self.cfg = cfg

    def prepare(self, docs: Docs, progress: bool = False) -> Any:
        """Label-free features of every document, reused by every fold (default: the docs)."""
        return docs

    @abstractmethod
    def fit(self, prepared: Any, rows: np.ndarray, y: np.ndarray,
            labels: list[str], progress: bool = False) -> FittedMember: ...

    @abstractmethod
    def logits(self, member: FittedMember, prepared: Any, rows: np.ndarray) -> np.ndarray:
        """Logits of the prepared documents at `rows` (held-out rows when cross-fitting)."""

    @abstractmethod
    def load(self, folder: Path, labels: list[str]) -> FittedMember: ...

    def usable(self, docs: Docs) -> bool:
        """False when the corpus lacks what this member reads (e.g. no layout signals)."""
        return True


# -- TF-IDF members --------------------------------------------------------------------------
class _TfidfMember(FittedMember):
    def __init__(self, model: BaselineClassifier) -> None:
        self.model = model

    def logits(self, docs: Docs) -> np.ndarray:
        return self.model.logits(docs.texts)

    def save(self, folder: Path) -> None:
        self.model.save(folder)


class _TfidfKind(MemberKind):
    """The vocabulary and idf come from every document's text (no label involved), once; each
    fold fits only the regression, warm-started from the previous fold's."""

    params: dict[str, Any]
    c: float

    def prepare(self, docs: Docs, progress: bool = False) -> tuple[Any, Any]:
        self._warm = None  # a new vocabulary: the previous weights do not fit it
        vectorizer = fit_vectorizer(docs.texts, self.params)
        return vectorizer, vectorizer.transform(docs.texts)

    def fit(self, prepared: tuple[Any, Any], rows: np.ndarray, y: np.ndarray,
            labels: list[str], progress: bool = False) -> FittedMember:
        vectorizer, x = prepared
        if getattr(self, "_warm", None) is None:
            self._warm = LogisticRegression(C=self.c, max_iter=2000, class_weight="balanced",
                                            random_state=self.cfg.seed, warm_start=True)
        model = BaselineClassifier.fit_matrix(vectorizer, x[rows], y, labels, params=self.params,
                                              warm=self._warm)
        return _TfidfMember(model)

    def logits(self, member: FittedMember, prepared: tuple[Any, Any],
               rows: np.ndarray) -> np.ndarray:
        model = member.model  # type: ignore[attr-defined]
        return np.asarray(prepared[1][rows] @ model.coef.T) + model.intercept

    def load(self, folder: Path, labels: list[str]) -> FittedMember:
        return _TfidfMember(BaselineClassifier.load(folder))


class WordTfidf(_TfidfKind):
    name, params, c = "baseline", WORD_PARAMS, 10.0


class CharTfidf(_TfidfKind):
    name, params, c = "char", CHAR_PARAMS, 10.0


# -- BERT ------------------------------------------------------------------------------------
class _BertMember(FittedMember):
    def __init__(self, model: Any, batch_size: int) -> None:
        self.model, self.batch_size = model, batch_size

    def logits(self, docs: Docs) -> np.ndarray:
        return self.model.logits(docs.texts, self.batch_size)

    def save(self, folder: Path) -> None:
        self.model.save(folder)


class Bert(MemberKind):
    name = "bert"

    def _base(self, labels: Sequence[str]) -> Any:
        import torch

        from classifiers.base_models import resolve_base_model
        from classifiers.bert import BertClassifier

        torch.set_num_threads(self.cfg.torch_threads)
        return BertClassifier.from_base(resolve_base_model(self.cfg.base_model), labels,
                                        self.cfg.max_length, self.cfg.head_fraction,
                                        seed=self.cfg.seed)

    def prepare(self, docs: Docs, progress: bool = False) -> Any:
        if self.cfg.epochs > 0:
            return docs  # fine-tuning reads tokens, fold by fold
        encoder = self._base(["_"])
        return docs, encoder.embeddings(docs.texts, progress=progress)

    def fit(self, prepared: Any, rows: np.ndarray, y: np.ndarray, labels: list[str],
            progress: bool = False) -> FittedMember:
        from classifiers.bert import FineTuneConfig

        model = self._base(labels)
        config = FineTuneConfig(epochs=self.cfg.epochs, batch_size=self.cfg.batch_size,
                                learning_rate=self.cfg.learning_rate, seed=self.cfg.seed)
        if self.cfg.epochs > 0:
            model.fine_tune(prepared.take(rows).texts, y.tolist(), config, progress=progress)
        else:
            model.set_probe(prepared[1][rows], y, config)
        return _BertMember(model, self.cfg.inference_batch_size)

    def logits(self, member: FittedMember, prepared: Any, rows: np.ndarray) -> np.ndarray:
        if self.cfg.epochs > 0:
            return member.logits(prepared.take(rows))
        head = member.model.model.head  # type: ignore[attr-defined]
        weight = head.weight.detach().double().numpy()
        return prepared[1][rows] @ weight.T + head.bias.detach().double().numpy()

    def load(self, folder: Path, labels: list[str]) -> FittedMember:
        from classifiers.bert import BertClassifier

        model = BertClassifier.load(folder, self.cfg.max_length, self.cfg.head_fraction)
        if model.labels != labels:
            raise BundleCorruptError("BERT label map differs from bundle.json")
        return _BertMember(model, self.cfg.inference_batch_size)


# -- vectors of page signals: layout features, the page thumbnail ------------------------------
class _VectorMember(FittedMember):
    def __init__(self, attribute: str, mean: np.ndarray, std: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray) -> None:
        self.attribute = attribute
        self.mean, self.std, self.coef, self.intercept = mean, std, coef, intercept

    def logits(self, docs: Docs) -> np.ndarray:
        return self.logits_of(signal_matrix(docs.signals, self.attribute, len(self.mean)))

    def logits_of(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.std) @ self.coef.T + self.intercept

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / "vector.npz", mean=self.mean, std=self.std, coef=self.coef,
                 intercept=self.intercept)


def signal_matrix(signals: Sequence[DocumentSignals], attribute: str,
                  width: int | None = None) -> np.ndarray:
    """Rows of one signal vector (`attribute` of DocumentSignals); zeros where it is missing."""
    vectors = [getattr(s, attribute) for s in signals]
    width = width or max((len(v) for v in vectors if v), default=0)
    x = np.zeros((len(signals), width))
    for i, v in enumerate(vectors):
        if v and len(v) == width:
            x[i] = v
    return x


class _VectorKind(MemberKind):
    """Standardised signal vector + logistic regression."""

    attribute: str
    c: float

    def prepare(self, docs: Docs, progress: bool = False) -> np.ndarray:
        return signal_matrix(docs.signals, self.attribute)

    def usable(self, docs: Docs) -> bool:
        return sum(1 for s in docs.signals if getattr(s, self.attribute)) >= 0.5 * len(docs)

    def fit(self, prepared: np.ndarray, rows: np.ndarray, y: np.ndarray, labels: list[str],
            progress: bool = False) -> FittedMember:
        x = prepared[rows]
        mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
        model = LogisticRegression(C=self.c, max_iter=3000, class_weight="balanced",
                                   random_state=self.cfg.seed)
        model.fit((x - mean) / std, y)
        coef = np.zeros((len(labels), x.shape[1]))
        intercept = np.full(len(labels), -10.0)  # a class absent from `y` stays unlikely
        rows_, biases = rows_per_class(model)
        coef[model.classes_], intercept[model.classes_] = rows_, biases
        return _VectorMember(self.attribute, mean, std, coef, intercept)

    def logits(self, member: FittedMember, prepared: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return member.logits_of(prepared[rows])  # type: ignore[attr-defined]

    def load(self, folder: Path, labels: list[str]) -> FittedMember:
        try:
            with np.load(folder / "vector.npz", allow_pickle=False) as a:
                return _VectorMember(self.attribute, a["mean"], a["std"], a["coef"],
                                     a["intercept"])
        except (OSError, ValueError, KeyError) as exc:
            raise BundleCorruptError(f"{self.name} model in {folder} is unreadable ({exc}). "
                                     "Re-train the bundle.") from exc


class Layout(_VectorKind):
    name, attribute, c = "layout", "layout", 1.0


class PageImage(_VectorKind):
    name, attribute, c = "page", "thumbnail", 0.01


MEMBER_KINDS: dict[str, type[MemberKind]] = {
    kind.name: kind for kind in (WordTfidf, CharTfidf, Bert, Layout, PageImage)}


def member_kind(name: str, cfg: ClassifierSettings) -> MemberKind:
    try:
        return MEMBER_KINDS[name](cfg)
    except KeyError:
        known = ", ".join(sorted(MEMBER_KINDS))
        raise ValueError(f"unknown ensemble member {name!r}; known: {known}") from None

