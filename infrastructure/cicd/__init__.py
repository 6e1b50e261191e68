"""CI/CD adapters: the project's pipeline for a CI service (github_actions)."""
