"""Business rules: versioned YAML rule sets per document type, evaluated before approval."""

from agent.rules.engine import DuplicateLookup, evaluate
from agent.rules.loader import PACKAGED_RULES, RuleSetError, load_rule_sets
from agent.rules.models import RuleResult, RuleSet

__all__ = ["PACKAGED_RULES", "DuplicateLookup", "RuleResult", "RuleSet", "RuleSetError",
           "evaluate", "load_rule_sets"]
