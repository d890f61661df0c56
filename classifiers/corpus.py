"""The one corpus loader: labelled documents for training, `papertrail index` and the eval harness.

Its rules, the same for every user:
- A source is a `path,label` CSV (paths relative to the CSV; each row is one document) or a
  folder with one sub-folder per class (recursively; hidden folders and files directly in the
  folder are skipped, so a `labels.csv` there is read only when passed as the source itself).
- Documents are files with a suffix in `SUPPORTED_SUFFIXES` (any case); others, such as the
  sample generator's `.json` ground truth, are ignored.
- Within one class folder, files sharing a stem (their path without suffix) are one document,
  e.g. the PNG, PDF and text the sample generator writes for one sample: the text file is
  preferred, then the PDF, then an image.
- Labels are used exactly as written (folder name or CSV cell): no case folding. Rename them
  with a label map (`load_label_map`, `papertrail train --label-map`).

Texts come from a `TextReader` passed in: text files are read as they are; for images and PDFs
the product passes `agent.ocr.text_reader.ocr_text_reader`, whose cache means re-training never
re-OCRs. `list_labelled_files` is the file discovery alone, for users that read files their own
way (the eval harness sends them through the graph).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from classifiers.errors import CorpusError
from classifiers.signals import NO_SIGNALS, DocumentSignals, ReadDocument

TEXT_SUFFIXES = (".txt", ".md")
PDF_SUFFIXES = (".pdf",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + PDF_SUFFIXES + IMAGE_SUFFIXES

TextReader = Callable[[Path], "str | ReadDocument"]
"""Turns one document file into its text (all pages), with its page signals when it has them."""


@dataclass(frozen=True)
class Document:
    text: str
    label: str
    source: str = ""
    signals: DocumentSignals = NO_SIGNALS


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]

    @property
    def texts(self) -> list[str]:
        return [d.text for d in self.documents]

    @property
    def labels(self) -> list[str]:
        return [d.label for d in self.documents]

    @property
    def signals(self) -> list[DocumentSignals]:
        return [d.signals for d in self.documents]

    @property
    def label_set(self) -> list[str]:
        return sorted(set(self.labels))

    def __len__(self) -> int:
        return len(self.documents)

    def __add__(self, other: Corpus) -> Corpus:
        return Corpus(self.documents + other.documents)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(self.labels).items()))

    def content_hash(self) -> str:
        """sha256 over sorted (label, text hash) pairs: exactly what a bundle was trained on."""
        rows = sorted(
            f"{d.label}\t{hashlib.sha256(d.text.encode()).hexdigest()}" for d in self.documents
        )
        return hashlib.sha256("\n".join(rows).encode()).hexdigest()

    def map_labels(self, mapping: Mapping[str, str | None]) -> Corpus:
        """Rename labels; labels mapped to None or absent from `mapping` are dropped."""
        return Corpus(tuple(
            Document(d.text, mapped, d.source, d.signals)
            for d in self.documents
            if (mapped := mapping.get(d.label)) is not None
        ))


def read_text_file(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def text_only_reader(path: Path) -> str:
    """A reader for corpora of text files; refuses images and PDFs with a clear message."""
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise CorpusError(
            f"{path} is not a text file and this reader has no OCR. Pass a reader that OCRs "
            "images and PDFs (as `papertrail train` does) or use text files only."
        )
    return read_text_file(path)


def _preference(path: Path) -> int:
    suffix = path.suffix.lower()
    for rank, group in enumerate((TEXT_SUFFIXES, PDF_SUFFIXES, IMAGE_SUFFIXES)):
        if suffix in group:
            return rank
    return 99


def documents_by_stem(folder: Path) -> dict[str, Path]:
    """The documents under `folder`, one per stem (path relative to `folder`, no suffix)."""
    by_stem: dict[str, Path] = {}
    for file in sorted(folder.rglob("*")):
        if not file.is_file() or file.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        key = str(file.relative_to(folder).with_suffix(""))
        if key not in by_stem or _preference(file) < _preference(by_stem[key]):
            by_stem[key] = file
    return by_stem


def list_folder(root: Path) -> list[tuple[Path, str]]:
    """(file, label) pairs of a folder-per-class tree; one file per stem per class."""
    if not root.is_dir():
        raise CorpusError(f"Corpus folder {root} does not exist or is not a folder.")
    pairs: list[tuple[Path, str]] = []
    for class_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        pairs.extend((file, class_dir.name) for file in documents_by_stem(class_dir).values())
    if not pairs:
        raise CorpusError(
            f"No documents found under {root}. Expected one sub-folder per class holding files "
            f"with suffixes {', '.join(SUPPORTED_SUFFIXES)}."
        )
    return pairs


def list_csv(csv_path: Path) -> list[tuple[Path, str]]:
    """(file, label) pairs of a `path,label` CSV; relative paths are relative to the CSV."""
    if not csv_path.is_file():
        raise CorpusError(f"Corpus CSV {csv_path} does not exist.")
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"path", "label"} <= set(reader.fieldnames):
            raise CorpusError(
                f"{csv_path} must have a header with columns 'path' and 'label'; "
                f"found {reader.fieldnames}."
            )
        pairs = []
        for line, row in enumerate(reader, start=2):
            if not row["path"] or not row["label"]:
                raise CorpusError(f"{csv_path}:{line}: empty path or label.")
            path = Path(row["path"])
            pairs.append((path if path.is_absolute() else csv_path.parent / path, row["label"]))
    missing = [str(p) for p, _ in pairs if not p.is_file()]
    if missing:
        raise CorpusError(
            f"{csv_path} lists {len(missing)} file(s) that do not exist, e.g. {missing[0]}."
        )
    if not pairs:
        raise CorpusError(f"{csv_path} lists no documents.")
    return pairs


def list_labelled_files(source: Path) -> list[tuple[Path, str]]:
    """(file, label) pairs of a `path,label` CSV or a folder-per-class tree (the rules above)."""
    source = Path(source)
    return list_csv(source) if source.suffix.lower() == ".csv" else list_folder(source)


def load_corpus(
    source: Path, reader: TextReader = text_only_reader, workers: int = 1, progress: bool = True
) -> Corpus:
    """Read a folder-per-class tree or a `path,label` CSV into a `Corpus`."""
    source = Path(source)
    pairs = list_labelled_files(source)
    return read_pairs(pairs, reader, workers=workers, progress=progress, desc=f"reading {source}")


def read_pairs(
    pairs: Sequence[tuple[Path, str]],
    reader: TextReader,
    workers: int = 1,
    progress: bool = True,
    desc: str = "reading",
) -> Corpus:
    def read(pair: tuple[Path, str]) -> Document:
        path, label = pair
        try:
            read = reader(path)
        except CorpusError:
            raise
        except Exception as exc:  # a reader failure names the file that caused it
            raise CorpusError(f"Could not read {path}: {exc}") from exc
        if isinstance(read, ReadDocument):
            return Document(read.text, label, str(path), read.signals)
        return Document(read, label, str(path))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        docs = list(tqdm(pool.map(read, pairs), total=len(pairs), desc=desc, disable=not progress))
    return Corpus(tuple(docs))


def load_corpora(
    sources: Iterable[Path], reader: TextReader = text_only_reader, workers: int = 1,
    progress: bool = True,
) -> Corpus:
    corpus = Corpus(())
    for source in sources:
        corpus = corpus + load_corpus(source, reader, workers=workers, progress=progress)
    return corpus


def load_label_map(path: Path) -> dict[str, str | None]:
    """A JSON object mapping source labels to target labels (null drops the label)."""
    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CorpusError(f"Label map {path} is not a readable JSON object: {exc}") from exc
    if not isinstance(mapping, dict):
        raise CorpusError(f"Label map {path} must be a JSON object of label -> label or null.")
    return mapping
