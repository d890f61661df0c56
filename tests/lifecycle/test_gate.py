"""The promotion gate's rules on shadow comparisons built by hand, and the rollback history of
the bundle audit log on a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.lifecycle.compare import Answer, Comparison, Pair
from agent.settings import Settings
from agent.store import Store
from agent.store.bundle_events import BundleEventLog
from evals.promotion import Promise, PromotionPolicy, judge

NOW = datetime(2026, 11, 30, tzinfo=UTC)
PROMISE = Promise(target_precision=0.98, delta=0.05)


def answer(bundle: str, label: str, confident: bool = True) -> Answer:
    return Answer(bundle_id=bundle, label=label, confidence=0.99 if confident else 0.5,
                  band="confident" if confident else "ambiguous")


def comparison(rows: list[tuple[str, str, bool, str, bool]]) -> Comparison:
    """rows: (truth, active label, active confident, candidate label, candidate confident)."""
    pairs = [Pair(doc_id=str(i), truth=t, active=answer("A", a, ac),
                  candidate=answer("C", c, cc), canary=False, reviewed_at=NOW)
             for i, (t, a, ac, c, cc) in enumerate(rows)]
    return Comparison(active_id="A", candidate_id="C", since=None, pairs=pairs, skipped={})


def test_an_equal_or_better_candidate_passes() -> None:
    rows = [("x", "x", True, "x", True)] * 40 + [("y", "x", False, "y", True)] * 5
    verdict = judge(comparison(rows), PROMISE)
    assert verdict.allowed and verdict.reasons == []
    c = comparison(rows)
    assert c.score("candidate").coverage == 1.0 and c.score("active").coverage == 40 / 45
    assert c.agreement == 40 / 45


def test_too_few_reviewed_documents_refuse() -> None:
    verdict = judge(comparison([("x", "x", True, "x", True)] * 10), PROMISE)
    assert not verdict.allowed and "only 10 reviewed documents" in verdict.reasons[0]


def test_lower_auto_approval_precision_refuses() -> None:
    rows = [("x", "x", True, "x", True)] * 40 + [("y", "y", False, "x", True)] * 2
    verdict = judge(comparison(rows), PROMISE)
    assert not verdict.allowed
    assert any(r.startswith("auto_precision 0.952 is below the active bundle's 1.000")
               for r in verdict.reasons)


def test_a_contradicted_certificate_refuses_even_when_the_active_is_as_bad() -> None:
    rows = [("x", "x", True, "x", True)] * 30 + [("y", "x", True, "x", True)] * 6
    verdict = judge(comparison(rows), PROMISE)
    assert not verdict.allowed and verdict.precision_upper_bound < 0.98
    assert any("certificate's promise of 98%" in r for r in verdict.reasons)


def test_significantly_lower_accuracy_refuses_with_mcnemar() -> None:
    rows = [("x", "x", False, "x", False)] * 30 + [("y", "y", False, "x", False)] * 8
    verdict = judge(comparison(rows), PROMISE, PromotionPolicy(max_drop=1.0))
    assert not verdict.allowed and verdict.mcnemar_p < 0.01
    assert any("significantly lower" in r for r in verdict.reasons)
    # one discordant document is no evidence
    rows = [("x", "x", False, "x", False)] * 38 + [("y", "y", False, "x", False)]
    assert judge(comparison(rows), PROMISE, PromotionPolicy(max_drop=1.0)).allowed


def test_rollback_follows_activations_and_rollbacks(tmp_path) -> None:
    store = Store.from_settings(Settings(data_dir=tmp_path))
    log = BundleEventLog(store.db)
    assert log.rollback_target("A") is None
    log.record("activate", "B", "ann", previous_id="A")
    log.record("activate", "C", "ann", previous_id="B")
    assert log.active_history("C") == ["A", "B", "C"] and log.rollback_target("C") == "B"
    log.record("rollback", "B", "bob", previous_id="C")
    assert log.rollback_target("B") == "A"
    log.record("rollback", "A", "bob", previous_id="B")
    assert log.rollback_target("A") is None
    # an activation the log did not see (train --activate) counts as the latest
    assert log.rollback_target("D") == "A"
    store.db.dispose()
