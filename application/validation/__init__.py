"""Validation: gates a model must pass before it may be served."""
