"""Exercise: write the normaliser a word error rate needs.

Whisper wrote "accuracy on the test split reached 97%"; the reference says
"Accuracy on the test split reached 97 percent." Same words — but compared
as they are, "Accuracy" ≠ "accuracy", "97%" ≠ "97" and "percent." ≠ nothing:
the word error rate counts typing differences as recognition errors.

Make normalise(text) return only the words, so both sides compare equal:

    normalise("Accuracy on the test split reached 97 percent.")
    normalise("accuracy on the test split reached 97%")
    # both -> "accuracy on the test split reached ninety seven percent"

1. lower case
2. "%" -> " percent "
3. every number as words: 97 -> "ninety seven"
   (number_to_words below does one number: number_to_words(97) == "ninety seven")
4. hyphens -> spaces ("end-to-end" -> "end to end")
5. drop every other character that is not a-z, 0-9, an apostrophe or a space
   (keep the apostrophe in "it's")
6. one space between words, none at the ends

The check compares your version on reference/transcript pairs; the lesson's
own answer is domain/models/generative/speech/normalise.py (try yours first).
"""

import re  # noqa: F401  (you will want it)

from domain.models.generative.speech.normalise import number_to_words  # noqa: F401


def normalise(text: str) -> str:
    return text
