from __future__ import annotations

import pytest

from retrieval.errors import PolicyFileError
from retrieval.policies import load_policies

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


def test_default_policies_cover_rvlcdip_and_sample_types():
    policies = load_policies()
    assert set(RVL_CDIP + SAMPLE_TYPES) <= set(policies.policies)
    assert all(p.is_ for p in policies.policies.values())
    assert len(policies.sha256) == 64


def test_malformed_file_says_what_is_expected(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("policies:\n  invoice: just a string\n")
    with pytest.raises(PolicyFileError, match="is:"):
        load_policies(bad)


def test_missing_file_names_the_setting(tmp_path):
    with pytest.raises(PolicyFileError, match="PAPERTRAIL_RETRIEVAL_POLICIES_FILE"):
        load_policies(tmp_path / "absent.yaml")
