"""Word error rate and real-time factor: the two numbers a speech-to-text system is judged by.

Word error rate (WER) = (substitutions + deletions + insertions) / words in the reference,
from the cheapest word-by-word alignment of the two texts (jiwer computes it).
0 is perfect; it can exceed 1 when the model invents many words. Over several
clips the errors and the reference words are summed first, so a long clip
counts more than a short one.

Real-time factor (RTF) = processing time / audio duration: 0.1 means one
minute of audio takes six seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from domain.models.generative.speech.normalise import normalise


@dataclass(frozen=True)
class WordErrors:
    wer: float
    substitutions: int
    deletions: int
    insertions: int
    reference_words: int

    def describe(self) -> str:
        return (
            f"WER {self.wer:.3f} = ({self.substitutions} substituted + {self.deletions} deleted + "
            f"{self.insertions} inserted) / {self.reference_words} reference words"
        )


def _identity(text: str) -> str:
    return text


def word_errors(
    references: Sequence[str], hypotheses: Sequence[str], normaliser: Callable[[str], str] | None = normalise
) -> WordErrors:
    """Corpus WER of ``hypotheses`` against ``references``; ``normaliser=None`` compares the raw words."""
    import jiwer

    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses")
    prepare = normaliser or _identity
    refs = [prepare(r) for r in references]
    hyps = [prepare(h) for h in hypotheses]
    for index, ref in enumerate(refs):
        if not ref.split():
            raise ValueError(f"reference {index} has no words after normalisation: {references[index]!r}")
    # jiwer's own default step only splits on spaces: the normalisation above is all of it.
    out = jiwer.process_words(refs, hyps)
    total = out.hits + out.substitutions + out.deletions
    return WordErrors(
        wer=float(out.wer),
        substitutions=out.substitutions,
        deletions=out.deletions,
        insertions=out.insertions,
        reference_words=total,
    )


def word_error_rate(reference: str, hypothesis: str, normaliser: Callable[[str], str] | None = normalise) -> float:
    return word_errors([reference], [hypothesis], normaliser).wer


def real_time_factor(processing_seconds: float, audio_seconds: float) -> float:
    if audio_seconds <= 0:
        raise ValueError(f"audio duration must be positive, got {audio_seconds}")
    return processing_seconds / audio_seconds
