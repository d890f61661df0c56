from __future__ import annotations

import pytest

from retrieval.errors import LabelGuidanceError
from retrieval.label_guidance import load_label_guidance

RVL_CDIP = [
    "advertisement",
    "budget",
    "email",
    "file_folder",
    "form",
    "handwritten",
    "invoice",
    "letter",
    "memo",
    "news_article",
    "presentation",
    "questionnaire",
    "resume",
    "scientific_publication",
    "scientific_report",
    "specification",
]
SAMPLE_TYPES = [
    "invoice",
    "receipt",
    "purchase_order",
    "bank_statement",
    "contract",
    "letter",
    "memo",
    "resume",
]


def test_default_guidance_covers_rvlcdip_and_sample_types():
    guidance = load_label_guidance()
    assert set(RVL_CDIP + SAMPLE_TYPES) <= set(guidance.guides)
    assert all(g.is_ for g in guidance.guides.values())
    assert len(guidance.sha256) == 64
    assert [g.label for g in guidance.for_labels(["memo", "no-such-label", "invoice"])] == [
        "memo", "invoice"]


def test_malformed_file_says_what_is_expected(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("policies:\n  invoice: just a string\n")
    with pytest.raises(LabelGuidanceError, match="is:"):
        load_label_guidance(bad)


def test_missing_file_names_the_setting(tmp_path):
    with pytest.raises(LabelGuidanceError, match="PAPERTRAIL_RETRIEVAL_POLICIES_FILE"):
        load_label_guidance(tmp_path / "absent.yaml")
