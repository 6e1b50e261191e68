"""Registry: which models exist, which passed validation, and which one gets served."""
