"""Rule sets parse strictly at start-up and evaluate every rule kind."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agent.rules import RuleSetError, evaluate, load_rule_sets
from agent.rules.models import RuleSet

INVOICE = {"vendor": "ACME Ltd", "total": "1165.50", "invoice_number": "INV-20417",
           "date": "2026-03-14", "line_items": [{"amount": "320.00"}, {"amount": "845.50"}]}


def no_duplicates(*_: object) -> list[str]:
    return []


def results_by_id(fields: dict, lookup=no_duplicates, today=date(2026, 11, 21)) -> dict:
    rule_set = load_rule_sets()["invoice"]
    return {r.rule_id: r for r in evaluate(rule_set, fields, "doc-1", lookup, today=today)}


def test_packaged_rule_sets_load_with_versions() -> None:
    sets = load_rule_sets()
    assert {"invoice", "receipt", "contract"} <= set(sets)
    assert all(s.version for s in sets.values())


def test_a_clean_invoice_passes_everything() -> None:
    results = results_by_id(INVOICE)
    assert all(r.passed is not False for r in results.values())
    assert not any(r.requires_review for r in results.values())
    assert results["line-items-sum-to-total"].passed is True


@pytest.mark.parametrize(("change", "rule_id"), [
    ({"vendor": None}, "vendor-required"),
    ({"invoice_number": "#!?"}, "invoice-number-format"),
    ({"total": "-5.00", "line_items": None}, "total-positive"),
    ({"date": "2027-01-01"}, "date-not-in-future"),
    ({"line_items": [{"amount": "300.00"}, {"amount": "845.50"}]}, "line-items-sum-to-total"),
])
def test_each_rule_kind_fails_when_it_should(change: dict, rule_id: str) -> None:
    result = results_by_id({**INVOICE, **change})[rule_id]
    assert result.passed is False and result.requires_review
    assert result.message


def test_duplicate_is_found_through_the_lookup() -> None:
    seen = []

    def lookup(doc_type: str, key: dict, doc_id: str) -> list[str]:
        seen.append((doc_type, key, doc_id))
        return ["abcdef0123456789"]

    result = results_by_id(INVOICE, lookup)["not-a-duplicate"]
    assert result.passed is False and "abcdef012345" in result.message
    assert seen == [("invoice", {"vendor": "ACME Ltd", "invoice_number": "INV-20417"}, "doc-1")]


def test_high_value_policy_requires_a_person() -> None:
    result = results_by_id({**INVOICE, "total": "25000", "line_items": None})
    assert result["high-value-needs-approval"].requires_review
    assert result["total-positive"].passed is True


def test_missing_values_skip_format_checks_instead_of_failing() -> None:
    result = results_by_id({**INVOICE, "date": None})["date-not-in-future"]
    assert result.passed is None and not result.requires_review


@pytest.mark.parametrize(("content", "expected"), [
    ("document_type: invoice\nversion: '1'\nrules:\n  - id: x\n    type: teleport\n",
     "rules.0"),
    ("document_type: invoice\nversion: '1'\nrules:\n  - id: x\n    type: regex\n"
     "    field: total\n    pattern: '[unclosed'\n", "not a valid regular expression"),
    ("document_type: invoice\nrules: []\n", "version"),
    ("document_type: invoice\nversion: '1'\n  bad: [indent\n", "not valid YAML"),
    ("document_type: invoice\nversion: '1'\nrules:\n  - {id: a, type: required, field: x}\n"
     "  - {id: a, type: required, field: y}\n", "repeats a rule id"),
])
def test_a_broken_rule_file_fails_at_start_up_naming_the_file(
    tmp_path: Path, content: str, expected: str
) -> None:
    (tmp_path / "invoice.yaml").write_text(content)
    with pytest.raises(RuleSetError) as caught:
        load_rule_sets(tmp_path)
    assert "invoice.yaml" in caught.value.message and expected in caught.value.message


def test_rule_set_model_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError):
        RuleSet.model_validate({"document_type": "x", "version": "1", "rulez": []})


def _evidence(confidence: float, sources: dict | None = None) -> dict:
    return {"confidence": confidence, "agreement": "disagree" if confidence < 0.5 else "agree",
            "sources": sources or {}}


def test_field_confidence_sends_an_uncertain_total_to_a_person_with_the_reason() -> None:
    rule_set = load_rule_sets()["receipt"]
    fields = {"vendor": "SHOP", "total": "12.30", "date": "2026-03-14"}
    sure = {"vendor": _evidence(0.99), "total": _evidence(0.99), "date": _evidence(0.99)}
    passed = {r.rule_id: r for r in evaluate(rule_set, fields, "d", no_duplicates,
                                             today=date(2026, 11, 21), evidence=sure, checks=[])}
    assert passed["key-fields-confident"].passed is True
    assert passed["amounts-consistent"].passed is None  # nothing printed to check against
    unsure = {**sure, "total": _evidence(0.3, {"tesseract": "12.30", "rapidocr": "12.80"})}
    failed = {r.rule_id: r for r in evaluate(rule_set, fields, "d", no_duplicates,
                                             today=date(2026, 11, 21), evidence=unsure)}
    result = failed["key-fields-confident"]
    assert result.passed is False and result.requires_review
    assert "total = 12.30 has confidence 0.30" in result.message and "12.80" in result.message
    no_evidence = {r.rule_id: r for r in evaluate(rule_set, fields, "d", no_duplicates,
                                                  today=date(2026, 11, 21), evidence={})}
    assert no_evidence["key-fields-confident"].passed is False


def test_checks_pass_fails_on_a_contradicted_check_and_says_which() -> None:
    rule_set = load_rule_sets()["receipt"]
    checks = [{"name": "total_arithmetic", "passed": False, "fields": ["total"],
               "message": "total 12.30 does not match the printed amounts (subtotal = 11.30)"},
              {"name": "date_plausible", "passed": True, "fields": ["date"], "message": "ok"}]
    results = {r.rule_id: r for r in evaluate(
        rule_set, {"vendor": "SHOP", "total": "12.30"}, "d", no_duplicates,
        today=date(2026, 11, 21), evidence={}, checks=checks)}
    assert results["amounts-consistent"].passed is False
    assert "subtotal = 11.30" in results["amounts-consistent"].message


def test_field_confidence_minimums_are_probabilities(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        "document_type: receipt\nversion: '1'\nrules:\n  - id: c\n    type: field_confidence\n"
        "    minimum: {total: 1.5}\n")
    with pytest.raises(RuleSetError, match="between 0 and 1"):
        load_rule_sets(tmp_path)
