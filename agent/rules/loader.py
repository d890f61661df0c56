"""Load every rule set in a folder; a file that does not parse stops start-up with its reason."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from agent.rules.models import RuleSet
from papertrail.errors import ConfigurationError

PACKAGED_RULES = Path(__file__).resolve().parent / "sets"


class RuleSetError(ConfigurationError):
    code = "rule_set_invalid"


def load_rule_sets(folder: Path | None = None) -> dict[str, RuleSet]:
    """Rule sets by document type. Raises RuleSetError naming the file and the problem."""
    folder = folder or PACKAGED_RULES
    if not folder.is_dir():
        raise RuleSetError(f"Rule folder {folder} does not exist (setting PAPERTRAIL_RULES_DIR).")
    sets: dict[str, RuleSet] = {}
    for path in sorted(folder.glob("*.y*ml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            rule_set = RuleSet.model_validate(raw)
        except yaml.YAMLError as exc:
            raise RuleSetError(f"Rule set {path} is not valid YAML: {exc}") from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise RuleSetError(f"Rule set {path} is invalid: {problems}") from None
        if rule_set.document_type in sets:
            raise RuleSetError(
                f"Rule set {path} defines `{rule_set.document_type}` again; keep one file per "
                "document type."
            )
        ids = [r.id for r in [*rule_set.rules, *rule_set.policies]]
        if len(ids) != len(set(ids)):
            raise RuleSetError(f"Rule set {path} repeats a rule id: {sorted(ids)}")
        sets[rule_set.document_type] = rule_set
    return sets
