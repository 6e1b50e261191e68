"""Inference: the BentoML service that serves the validated iris model."""
