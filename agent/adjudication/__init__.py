"""LLM adjudication of documents the classifier is unsure of: grounded, validated, recorded.

`adjudicator.Adjudicator` runs it; `schema` holds its models (light to import: the graph's
state and protocols use them without loading the LLM client).
"""
