"""Headless mode: lessons run from the command line, rendered as text, JSON or JUnit."""
