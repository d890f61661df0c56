"""Graph nodes: `(state, services) -> (state update, provenance for lineage)`."""
