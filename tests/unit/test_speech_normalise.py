"""The normaliser a word error rate needs: same words compare equal, different words stay different."""

import pytest

from domain.models.generative.speech.normalise import normalise, number_to_words, ordinal_words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (40, "forty"),
        (97, "ninety seven"),
        (100, "one hundred"),
        (500, "five hundred"),
        (1205, "one thousand two hundred five"),
        (2_000_019, "two million nineteen"),
    ],
)
def test_numbers_are_spelled_as_spoken_without_and_or_hyphens(number, words):
    assert number_to_words(number) == words


@pytest.mark.parametrize(
    ("number", "words"), [(1, "first"), (3, "third"), (12, "twelfth"), (21, "twenty first"), (40, "fortieth")]
)
def test_ordinals(number, words):
    assert ordinal_words(number) == words


@pytest.mark.parametrize(
    ("reference", "transcript"),
    [
        ("Accuracy on the test split reached 97 percent.", "accuracy on the test split reached 97%"),
        ("The training job ran for 3 epochs on 2 CPU cores.", "The training job ran for three epochs on two C.P.U. cores"),
        ("Version your data, your code and your model together.", "version your data, your code and your model together!"),
        ("It's an end-to-end pipeline.", "it's an end to end pipeline"),
        ("1,500 requests", "one thousand five hundred requests"),
        ("The 3rd run took 0.5 s", "the third run took zero point five s"),
    ],
)
def test_the_same_words_typed_differently_normalise_to_the_same_text(reference, transcript):
    assert normalise(reference) == normalise(transcript)


def test_the_result_is_lower_case_words_separated_by_single_spaces():
    assert normalise("  Accuracy — on the TEST split:   97%!  ") == "accuracy on the test split ninety seven percent"
    assert normalise("'quoted' words, and it's fine") == "quoted words and it's fine"


def test_different_words_stay_different():
    assert normalise("The model was trained.") != normalise("The model was drained.")
    assert normalise("97 percent") != normalise("79 percent")
