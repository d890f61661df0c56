"""Error types of the classifier layer, each with a message for the person who must act."""

from __future__ import annotations

from papertrail.errors import PapertrailError


class ClassifierError(PapertrailError):
    """Base class for every error raised by `classifiers`."""

    code = "classifier_error"


class CorpusError(ClassifierError):
    """A training corpus is missing, empty, malformed or too small to split."""

    code = "corpus_error"


class BaseModelNotFoundError(ClassifierError):
    """The configured base weights could not be located offline."""

    code = "base_model_not_found"
    kind = "config"


class BundleError(ClassifierError):
    """A model bundle cannot be used."""

    code = "bundle_error"


class BundleNotFoundError(BundleError):
    """No bundle with that id (or no active bundle) exists in the bundle folder."""

    code = "bundle_not_found"
    kind = "not_found"


class BundleCorruptError(BundleError):
    """A bundle's files do not match its manifest, or a required file is unreadable."""

    code = "bundle_corrupt"
    kind = "config"


class TrainingError(ClassifierError):
    """Training could not produce a usable model."""

    code = "training_error"
