"""Runs lesson steps in child processes and turns what they report into events."""
