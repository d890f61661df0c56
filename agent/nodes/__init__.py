"""Graph nodes: `(state, services) -> NodeResult`, i.e. (state update, provenance for lineage)."""

from typing import Any

NodeResult = tuple[dict[str, Any], dict[str, Any]]
"""What every node returns: the partial state update, and what lineage records about it."""
