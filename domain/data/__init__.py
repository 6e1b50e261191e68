"""Data: sources (where data comes from), pipelines (how it is shaped), quality (whether it can be trusted)."""
