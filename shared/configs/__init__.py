"""Configuration: where the workbench keeps its state, and default config files."""
