"""The base layer every other package may import: the error root and nothing that depends on
`agent`, `classifiers`, `retrieval`, `api` or `evals` (docs/architecture.md)."""
