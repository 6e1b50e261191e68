"""Word error rate (jiwer under the hood) and real-time factor, on cases worked out by hand."""

import pytest

pytest.importorskip("jiwer", reason="the 'speech' extra is not installed: pip install 'mlops-workbench[speech]'")

from domain.models.generative.speech.scoring import real_time_factor, word_error_rate, word_errors  # noqa: E402


def test_one_substitution_one_deletion_one_insertion_counted_against_the_reference_words():
    errors = word_errors(["one two three four five six seven eight"], ["one too three five six seven eight nine"])
    # two→too (substitution), "four" deleted, "nine" inserted: 3 errors / 8 reference words
    assert (errors.substitutions, errors.deletions, errors.insertions, errors.reference_words) == (1, 1, 1, 8)
    assert errors.wer == pytest.approx(3 / 8)
    assert errors.describe() == "WER 0.375 = (1 substituted + 1 deleted + 1 inserted) / 8 reference words"


def test_over_several_clips_errors_are_summed_before_dividing():
    errors = word_errors(
        ["one two three four five six seven eight", "alpha beta"], ["one two three four five six seven eight", "gamma"]
    )
    assert errors.wer == pytest.approx(2 / 10)  # not the mean of 0 and 1


def test_normalisation_removes_errors_that_are_only_typing():
    reference, transcript = "Accuracy reached 97 percent.", "accuracy reached 97%"
    # as typed: Accuracy≠accuracy, 97≠97%, "percent." missing — 3 of 4 words "wrong"
    assert word_error_rate(reference, transcript, normaliser=None) == pytest.approx(0.75)
    assert word_error_rate(reference, transcript) == 0.0


def test_invented_words_can_push_the_rate_above_one():
    assert word_error_rate("yes", "well yes no maybe") > 1


def test_a_reference_without_words_is_refused_with_its_text():
    with pytest.raises(ValueError, match=r"reference 0 has no words after normalisation: '\.\.\.'"):
        word_errors(["..."], ["something"])
    with pytest.raises(ValueError, match="2 references but 1 hypotheses"):
        word_errors(["a", "b"], ["a"])


def test_real_time_factor_is_processing_time_over_audio_duration():
    assert real_time_factor(6.0, 60.0) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="audio duration must be positive"):
        real_time_factor(1.0, 0.0)
