"""Evaluate a document's fields against its type's rule set."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from agent.rules.models import (
    AlwaysReview,
    ChecksPass,
    DateNotFuture,
    Duplicate,
    FieldConfidence,
    Range,
    Regex,
    Required,
    ReviewAbove,
    RuleResult,
    RuleSet,
    SumEquals,
)

# (document type, {field: value}, this document's id) -> ids of finalized duplicates
DuplicateLookup = Callable[[str, dict[str, Any], str], list[str]]


def evaluate(
    rule_set: RuleSet, fields: dict[str, Any], doc_id: str, find_duplicates: DuplicateLookup,
    today: date | None = None, evidence: dict[str, dict[str, Any]] | None = None,
    checks: list[dict[str, Any]] | None = None,
) -> list[RuleResult]:
    """`evidence` (field -> FieldEvidence as JSON) and `checks` (CheckResult as JSON) are what
    the `field_confidence` and `checks_pass` rules read; when not given (None) those rules are
    not checked. Given, a present field without evidence fails `field_confidence`."""
    today = today or date.today()
    results: list[RuleResult] = []
    for rule in rule_set.rules:
        if isinstance(rule, FieldConfidence | ChecksPass) and (
                evidence is None if isinstance(rule, FieldConfidence) else checks is None):
            passed, message, values = None, "not checked: no field evidence given", {}
        elif isinstance(rule, FieldConfidence | ChecksPass):
            passed, message, values = _evidence_rule(rule, fields, evidence or {}, checks or [])
        else:
            passed, message, values = _check(rule, fields, doc_id, rule_set.document_type,
                                             find_duplicates, today)
        if passed is False and rule.message:
            message = f"{rule.message} ({message})"
        results.append(RuleResult(rule_id=rule.id, kind="rule", passed=passed, message=message,
                                  values=values, requires_review=passed is False))
    for policy in rule_set.policies:
        results.append(_policy(policy, fields))
    return results


def _check(rule: Any, fields: dict[str, Any], doc_id: str, doc_type: str,
           find_duplicates: DuplicateLookup, today: date) -> tuple[bool | None, str, dict]:
    if isinstance(rule, Required):
        value = fields.get(rule.field)
        present = value not in (None, "", [])
        return present, (f"{rule.field} present" if present else f"{rule.field} is missing"), {
            rule.field: value}
    if isinstance(rule, SumEquals):
        return _sum_equals(rule, fields)
    if isinstance(rule, Duplicate):
        key = {f: fields.get(f) for f in rule.fields}
        if any(v in (None, "") for v in key.values()):
            return None, "not checked: " + ", ".join(rule.fields) + " not all known", key
        dupes = find_duplicates(doc_type, key, doc_id)
        if dupes:
            return False, f"already finalized as document {dupes[0][:12]}", {**key,
                                                                            "duplicates": dupes}
        return True, "no earlier document with the same " + " and ".join(rule.fields), key
    field = rule.field
    value = fields.get(field)
    if value in (None, ""):
        return None, f"not checked: {field} is missing", {field: value}
    if isinstance(rule, Regex):
        ok = re.fullmatch(rule.pattern, str(value)) is not None
        return ok, f"{field} {'matches' if ok else 'does not match'} {rule.pattern}", {
            field: value}
    if isinstance(rule, Range):
        number = _number(value)
        if number is None:
            return False, f"{field} is not a number: {value!r}", {field: value}
        ok = (rule.min is None or number >= rule.min) and (rule.max is None or number <= rule.max)
        bounds = f"[{rule.min if rule.min is not None else '-inf'}, " \
                 f"{rule.max if rule.max is not None else 'inf'}]"
        return ok, f"{field} = {value} {'within' if ok else 'outside'} {bounds}", {field: value}
    if isinstance(rule, DateNotFuture):
        try:
            seen = date.fromisoformat(str(value))
        except ValueError:
            return False, f"{field} is not an ISO date: {value!r}", {field: value}
        ok = seen <= today
        return ok, f"{field} {value} {'is not' if ok else 'is'} in the future", {
            field: value, "today": today.isoformat()}
    raise TypeError(f"unknown rule {rule!r}")


def _evidence_rule(rule: FieldConfidence | ChecksPass, fields: dict[str, Any],
                   evidence: dict[str, dict[str, Any]], checks: list[dict[str, Any]]
                   ) -> tuple[bool | None, str, dict]:
    if isinstance(rule, ChecksPass):
        named = [c for c in checks if c.get("name") in rule.checks]
        failed = [c for c in named if c.get("passed") is False]
        if failed:
            return False, "; ".join(c["message"] for c in failed), {"failed": [
                c["name"] for c in failed]}
        if not any(c.get("passed") for c in named):
            return None, "not checked: nothing printed to check " + ", ".join(rule.checks) + \
                " against", {}
        return True, "; ".join(c["message"] for c in named if c.get("passed")), {}
    low, seen = [], {}
    for field, minimum in rule.minimum.items():
        if fields.get(field) in (None, ""):
            continue
        known = evidence.get(field)
        if known is None:
            low.append(f"{field} has no evidence (edited or extracted without it)")
            continue
        seen[field] = known["confidence"]
        if known["confidence"] < minimum:
            read = ", ".join(f"{k} read {v!r}" for k, v in (known.get("sources") or {}).items())
            doubts = "".join(f"; {d}" for d in known.get("doubts") or [])
            low.append(f"{field} = {fields[field]} has confidence {known['confidence']:.2f} < "
                       f"{minimum:.2f} ({known.get('agreement')}; {read}{doubts})")
    if not seen and not low:
        return None, "not checked: none of " + ", ".join(rule.minimum) + " present", {}
    if low:
        return False, "; ".join(low), {"confidence": seen}
    return True, "confidence " + ", ".join(f"{k} {v:.2f}" for k, v in seen.items()), {
        "confidence": seen}


def _sum_equals(rule: SumEquals, fields: dict[str, Any]) -> tuple[bool | None, str, dict]:
    items, total = fields.get(rule.items_field), _number(fields.get(rule.total_field))
    if not items or total is None:
        return None, f"not checked: no {rule.items_field} or {rule.total_field}", {}
    amounts = [_number(i.get("amount") if isinstance(i, dict) else i) for i in items]
    if any(a is None for a in amounts):
        return False, f"{rule.items_field} holds a value that is not an amount", {"items": items}
    summed = round(sum(amounts), 2)  # type: ignore[arg-type]
    ok = abs(summed - total) <= rule.tolerance
    return ok, f"items sum to {summed}, total is {total}", {"items_sum": summed, "total": total}


def _policy(policy: Any, fields: dict[str, Any]) -> RuleResult:
    if isinstance(policy, AlwaysReview):
        return RuleResult(rule_id=policy.id, kind="policy", passed=True, requires_review=True,
                          message=policy.message or "this document type always needs a person")
    if isinstance(policy, ReviewAbove):
        number = _number(fields.get(policy.field))
        above = number is not None and number > policy.limit
        message = (f"{policy.field} {number} is above {policy.limit}: a person must approve"
                   if above else f"{policy.field} not above {policy.limit}")
        return RuleResult(rule_id=policy.id, kind="policy", passed=True, requires_review=above,
                          message=policy.message if above and policy.message else message,
                          values={policy.field: fields.get(policy.field)})
    raise TypeError(f"unknown policy {policy!r}")


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(Decimal(str(value).replace(",", "")))
    except (InvalidOperation, ValueError):
        return None
