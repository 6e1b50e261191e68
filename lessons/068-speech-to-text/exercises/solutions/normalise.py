"""Solution: lower case, symbols and numbers as words, punctuation out, single spaces."""

import re

from domain.models.generative.speech.normalise import number_to_words


def normalise(text: str) -> str:
    text = text.lower().replace("%", " percent ")
    text = re.sub(r"\d+", lambda match: f" {number_to_words(int(match.group()))} ", text)
    text = text.replace("-", " ")
    text = re.sub(r"[^a-z0-9' ]", " ", text)
    return " ".join(text.split())
