"""Ingest: validate an upload from its bytes, then keep it content-addressed."""

from agent.ingest.service import IngestResult, ingest_bytes, ingest_file
from agent.ingest.validate import ValidatedUpload, validate_upload

__all__ = ["IngestResult", "ValidatedUpload", "ingest_bytes", "ingest_file", "validate_upload"]
