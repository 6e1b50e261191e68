"""Classroom mode: a whole class in the browser on one server (textual-serve), a home per learner, an instructor view."""
