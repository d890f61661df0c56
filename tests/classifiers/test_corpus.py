from pathlib import Path

import pytest

from classifiers.corpus import (
    Corpus,
    Document,
    list_folder,
    list_labelled_files,
    load_corpus,
    text_only_reader,
)
from classifiers.errors import CorpusError
from evals.samples import generate


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_folder_per_class_one_document_per_stem(tmp_path: Path) -> None:
    _write(tmp_path / "invoice" / "a.txt", "invoice a")
    (tmp_path / "invoice" / "a.png").write_bytes(b"not read: the text file wins")
    (tmp_path / "invoice" / "a.json").write_text("{}")  # ignored: not a document suffix
    _write(tmp_path / "memo" / "nested" / "b.txt", "memo b")
    _write(tmp_path / "README.md", "top-level files are not documents")
    pairs = list_folder(tmp_path)
    assert [(p.name, label) for p, label in pairs] == [("a.txt", "invoice"), ("b.txt", "memo")]
    corpus = load_corpus(tmp_path, progress=False)
    assert corpus.texts == ["invoice a", "memo b"] and corpus.labels == ["invoice", "memo"]


def test_csv_paths_are_relative_to_the_csv(tmp_path: Path) -> None:
    _write(tmp_path / "docs" / "x.txt", "hello")
    csv = _write(tmp_path / "labels.csv", "path,label\ndocs/x.txt,letter\n")
    assert load_corpus(csv, progress=False).documents[0].label == "letter"


def test_csv_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="'path' and 'label'"):
        load_corpus(_write(tmp_path / "a.csv", "file,class\nx,y\n"), progress=False)
    with pytest.raises(CorpusError, match="do not exist"):
        load_corpus(_write(tmp_path / "b.csv", "path,label\nmissing.txt,memo\n"), progress=False)
    with pytest.raises(CorpusError, match="No documents"):
        list_folder(tmp_path)


def test_text_only_reader_refuses_images(tmp_path: Path) -> None:
    image = tmp_path / "c" / "scan.png"
    image.parent.mkdir()
    image.write_bytes(b"\x89PNG")
    with pytest.raises(CorpusError, match="no OCR"):
        text_only_reader(image)


def test_content_hash_tracks_texts_and_labels_not_order() -> None:
    a, b = Document("one", "x"), Document("two", "y")
    assert Corpus((a, b)).content_hash() == Corpus((b, a)).content_hash()
    assert Corpus((a, b)).content_hash() != Corpus((a, Document("two", "x"))).content_hash()
    assert Corpus((a, b)).content_hash() != Corpus((a, Document("two!", "y"))).content_hash()


def test_training_refuses_classes_too_small_to_cross_fit() -> None:
    from classifiers.options import ClassifierSettings
    from classifiers.train import fit_models

    corpus = Corpus((Document("a", "x"), Document("b", "x"), Document("c", "y")))
    with pytest.raises(CorpusError, match=r"fewer than 2 documents.*'y': 1"):
        fit_models(corpus, ClassifierSettings(members=["baseline"]), progress=False)


def test_map_labels_renames_and_drops() -> None:
    corpus = Corpus((Document("a", "Memo"), Document("b", "Note"), Document("c", "Letter")))
    mapped = corpus.map_labels({"Memo": "memo", "Letter": "letter", "Note": None})
    assert mapped.labels == ["memo", "letter"]


def test_a_generated_sample_is_one_training_document(tmp_path: Path) -> None:
    samples = generate(tmp_path, n_per_class=2, seed=3, classes=("invoice", "memo"),
                       formats=("png", "pdf", "txt"))  # + the .json ground truth per sample
    corpus = load_corpus(tmp_path, progress=False)
    assert len(corpus) == len(samples) == 4
    assert [Path(d.source).suffix for d in corpus.documents] == [".txt"] * 4
    assert sorted(corpus.texts) == sorted(s.text + "\n" for s in samples)


def test_labels_are_used_as_written(tmp_path: Path) -> None:
    _write(tmp_path / "tree" / "Memo" / "a.txt", "memo a")
    _write(tmp_path / "x.txt", "letter x")
    csv = _write(tmp_path / "labels.csv", "path,label\nx.txt,Letter\n")
    assert list_labelled_files(tmp_path / "tree")[0][1] == "Memo"
    assert list_labelled_files(csv) == [(tmp_path / "x.txt", "Letter")]
