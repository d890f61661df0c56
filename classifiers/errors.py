"""Error types of the classifier layer, each with a message for the person who must act."""

from __future__ import annotations


class ClassifierError(Exception):
    """Base class for every error raised by `classifiers`."""


class CorpusError(ClassifierError):
    """A training corpus is missing, empty, malformed or too small to split."""


class BaseModelNotFoundError(ClassifierError):
    """The configured base weights could not be located offline."""


class BundleError(ClassifierError):
    """A model bundle cannot be used."""


class BundleNotFoundError(BundleError):
    """No bundle with that id (or no active bundle) exists in the bundle folder."""


class BundleCorruptError(BundleError):
    """A bundle's files do not match its manifest, or a required file is unreadable."""


class TrainingError(ClassifierError):
    """Training could not produce a usable model."""
