"""The classroom on Kubernetes: one pod per learner, generated as data and validated offline (manifests.py)."""
