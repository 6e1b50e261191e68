"""Deployment adapters: a container image of the iris service (docker) and the manifests that run it (kubernetes)."""
