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
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from classifiers.baseline import CHAR_PARAMS, WORD_PARAMS, BaselineClassifier, rows_per_class
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
    params: dict[str, Any]
    c: float

    def fit(self, prepared: Docs, rows: np.ndarray, y: np.ndarray, labels: list[str],
            progress: bool = False) -> FittedMember:
        texts = [prepared.texts[i] for i in rows]
        return _TfidfMember(BaselineClassifier.fit(texts, y, labels, c=self.c, seed=self.cfg.seed,
                                                   params=self.params))

    def logits(self, member: FittedMember, prepared: Docs, rows: np.ndarray) -> np.ndarray:
        return member.logits(prepared.take(rows))

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


# -- layout ----------------------------------------------------------------------------------
class _LayoutMember(FittedMember):
    def __init__(self, mean: np.ndarray, std: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray) -> None:
        self.mean, self.std, self.coef, self.intercept = mean, std, coef, intercept

    def logits(self, docs: Docs) -> np.ndarray:
        return self.logits_of(layout_matrix(docs.signals, len(self.mean)))

    def logits_of(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.std) @ self.coef.T + self.intercept

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / "layout.npz", mean=self.mean, std=self.std, coef=self.coef,
                 intercept=self.intercept)


def layout_matrix(signals: Sequence[DocumentSignals], width: int | None = None) -> np.ndarray:
    """Rows of layout features; a document without them gets zeros (the mean after scaling)."""
    width = width or max((len(s.layout) for s in signals if s.layout), default=0)
    x = np.zeros((len(signals), width))
    for i, s in enumerate(signals):
        if s.layout and len(s.layout) == width:
            x[i] = s.layout
    return x


class Layout(MemberKind):
    name = "layout"

    def prepare(self, docs: Docs, progress: bool = False) -> np.ndarray:
        return layout_matrix(docs.signals)

    def usable(self, docs: Docs) -> bool:
        return sum(1 for s in docs.signals if s.layout) >= 0.5 * len(docs)

    def fit(self, prepared: np.ndarray, rows: np.ndarray, y: np.ndarray, labels: list[str],
            progress: bool = False) -> FittedMember:
        x = prepared[rows]
        mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
        model = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced",
                                   random_state=self.cfg.seed)
        model.fit((x - mean) / std, y)
        coef = np.zeros((len(labels), x.shape[1]))
        intercept = np.full(len(labels), -10.0)
        rows_, biases = rows_per_class(model)
        coef[model.classes_], intercept[model.classes_] = rows_, biases
        return _LayoutMember(mean, std, coef, intercept)

    def logits(self, member: FittedMember, prepared: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return member.logits_of(prepared[rows])  # type: ignore[attr-defined]

    def load(self, folder: Path, labels: list[str]) -> FittedMember:
        try:
            with np.load(folder / "layout.npz", allow_pickle=False) as a:
                return _LayoutMember(a["mean"], a["std"], a["coef"], a["intercept"])
        except (OSError, ValueError, KeyError) as exc:
            raise BundleCorruptError(f"Layout model in {folder} is unreadable ({exc}).") from exc


MEMBER_KINDS: dict[str, type[MemberKind]] = {
    kind.name: kind for kind in (WordTfidf, CharTfidf, Bert, Layout)}


def member_kind(name: str, cfg: ClassifierSettings) -> MemberKind:
    try:
        return MEMBER_KINDS[name](cfg)
    except KeyError:
        known = ", ".join(sorted(MEMBER_KINDS))
        raise ValueError(f"unknown ensemble member {name!r}; known: {known}") from None

