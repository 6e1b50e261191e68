"""Runs lesson steps in child processes and turns what they report into events.

Parent side (this package, runs in the UI or headless process; never imports a step):
    step_runner.py      starts one step's child, reads its events/stdout/stderr, cancels and times it out
    lesson_runner.py    runs a lesson's steps in order, prerequisites first, records progress
    exercise_runner.py  runs an exercise check on the learner's file
    child_query.py      asks a short-lived child a question (e.g. "what does the model store hold?")
    extras.py           which pip extras a lesson needs and whether they are installed

Child side (``child/``): what runs inside the step's process.
"""
