"""Walkthroughs (not part of `make test`): the real app driven as a learner drives it, on the real curriculum."""
