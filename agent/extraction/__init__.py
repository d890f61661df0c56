"""Field extraction: deterministic extractors per document type, normalisers, LLM merge.

    from agent.extraction import extract_fields, merge_fields
    fields = extract_fields("invoice", ocr_result.text)
    fields = merge_fields(fields, llm_answer.fields, text=ocr_result.text)
"""

from agent.extraction.extractors import (
    ExtractionOptions,
    extract_fields,
    register,
    registered_types,
)
from agent.extraction.merge import merge_fields
from agent.extraction.models import EXTRACTOR_VERSION, FIELD_NAMES, ExtractedFields, FieldSource

__all__ = [
    "EXTRACTOR_VERSION", "FIELD_NAMES", "ExtractedFields", "ExtractionOptions", "FieldSource",
    "extract_fields", "merge_fields", "register", "registered_types",
]
