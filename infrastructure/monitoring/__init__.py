"""Monitoring adapters: read a service's Prometheus metrics and turn them into numbers a check can use."""
