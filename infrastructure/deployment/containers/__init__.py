"""Containers: build and run the service image (docker), describe it for a cluster (kubernetes)."""
