"""Benchmarks (not part of `make test`): `make bench` or `python -m tests.benchmarks`."""
