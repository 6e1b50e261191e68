"""Check for the normaliser exercise: the learner's normalise() against references and Whisper-style transcripts."""

from __future__ import annotations

from domain.models.generative.speech.scoring import word_errors
from shared import events
from workbench.runner.child.learner_code import load_learner_module, require

# (reference as a person typed it, a transcript with the same words as Whisper writes them)
PAIRS = [
    ("Accuracy on the test split reached 97 percent.", "accuracy on the test split reached 97%"),
    ("The training job ran for 3 epochs on 2 CPU cores.", "The training job ran for three epochs on two CPU cores"),
    ("Version your data, your code and your model together.", "version your data, your code, and your model together."),
    ("The service answered 500 requests in 12 seconds.", "The service answered five hundred requests in twelve seconds."),
    (
        "Kubernetes restarts the container when a health check fails.",
        "KUBERNETES RESTARTS THE CONTAINER WHEN A HEALTH CHECK FAILS!",
    ),
    ("Roll back to the previous version if the error rate rises.", "Roll back to the previous version, if the error rate rises."),
    ("It's an end-to-end pipeline.", "it's an end to end pipeline"),
]
# What a normaliser must return exactly (it may not throw words away to make the pairs agree).
EXPECTED = [
    ("Accuracy on the test split reached 97 percent.", "accuracy on the test split reached ninety seven percent"),
    ("The service answered 500 requests in 12 seconds.", "the service answered five hundred requests in twelve seconds"),
    ("It's an end-to-end pipeline.", "it's an end to end pipeline"),
]


def _safe(normalise, text: str) -> str:
    try:
        result = normalise(text)
    except Exception as exc:  # the learner's code: say what broke, on which text
        raise events.StepError(f"your normalise raised {type(exc).__name__}: {exc} on {text!r}") from None
    if not isinstance(result, str):
        raise events.StepError(f"your normalise returned {type(result).__name__} for {text!r}; expected a str")
    return result


def check_normaliser(path: str) -> dict:
    normalise = require(load_learner_module(path), "normalise", "a function: text -> the words to compare")
    references = [reference for reference, _ in PAIRS]
    transcripts = [transcript for _, transcript in PAIRS]
    raw = word_errors(references, transcripts, normaliser=None)
    events.log(f"compared as typed (no normalisation): {raw.describe()} — every pair has the same words")
    wrong = []
    for reference, transcript in PAIRS:
        mine_ref, mine_hyp = _safe(normalise, reference), _safe(normalise, transcript)
        same = mine_ref == mine_hyp
        events.log(f"{'same     ' if same else 'DIFFERENT'} {mine_ref!r}  vs  {mine_hyp!r}")
        if not same:
            wrong.append(f"{reference!r} and {transcript!r} still differ: {mine_ref!r} vs {mine_hyp!r}")
    for text, expected in EXPECTED:
        got = _safe(normalise, text)
        if got != expected:
            events.log(f"normalise({text!r}) = {got!r}, expected {expected!r}")
            wrong.append(f"normalise({text!r}) = {got!r}, expected {expected!r}")
    if any(not _safe(normalise, reference).split() for reference in references):
        return {
            "wer_normalised": 1.0,
            "wrong_cases": len(wrong) + 1,
            "summary": "your normalise returned no words for a reference: it must keep the words",
        }
    mine = word_errors(references, transcripts, normaliser=lambda text: _safe(normalise, text))
    events.log(f"with your normalise: {mine.describe()}")
    events.metric("wer_unnormalised", raw.wer)
    events.metric("wer_normalised", mine.wer)
    summary = wrong[0] if wrong else f"WER {raw.wer:.3f} as typed → {mine.wer:.3f} with your normaliser"
    return {"wer_unnormalised": raw.wer, "wer_normalised": mine.wer, "wrong_cases": len(wrong), "summary": summary}
