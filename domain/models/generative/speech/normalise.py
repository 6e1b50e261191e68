"""Text normalisation for a word error rate: compare the words, not the typing.

A reference transcript says "Accuracy reached 97 percent." and Whisper writes
"accuracy reached 97%" — the same words, yet a plain word-by-word comparison
counts two errors ("Accuracy" ≠ "accuracy", "percent." ≠ "97%"...). Before
scoring, both sides go through the same steps:

1. lower case;
2. symbols that are words: "%" -> "percent", "&" -> "and";
3. numbers as words: "97" -> "ninety seven", "1,500" -> "one thousand five hundred",
   "0.93" -> "zero point nine three", "3rd" -> "third";
4. hyphens and slashes split words ("end-to-end" -> "end to end"), dots inside
   spelled-out letters go ("C.P.U." -> "cpu");
5. every other punctuation mark goes (an apostrophe inside a word stays: "it's");
6. runs of spaces become one.

Limits, on purpose: years are read as numbers ("2024" -> "two thousand twenty four",
not "twenty twenty four"), and spellings are not unified ("colour"/"color").
"""

from __future__ import annotations

import re

# fmt: off
ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
TENS = ("zero", "ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# fmt: on
SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))
ORDINAL_ENDINGS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def number_to_words(number: int) -> str:
    """0 <= number < 10**12 in English words, without 'and' or hyphens: 1205 -> 'one thousand two hundred five'."""
    if number < 0:
        return "minus " + number_to_words(-number)
    if number < 20:
        return ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return TENS[tens] + (f" {ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{ONES[hundreds]} hundred" + (f" {number_to_words(rest)}" if rest else "")
    for size, name in SCALES:
        if number >= size:
            high, rest = divmod(number, size)
            return f"{number_to_words(high)} {name}" + (f" {number_to_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def ordinal_words(number: int) -> str:
    """3 -> 'third', 21 -> 'twenty first', 40 -> 'fortieth'."""
    words = number_to_words(number).split()
    last = words[-1]
    if last in ORDINAL_ENDINGS:
        words[-1] = ORDINAL_ENDINGS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(st|nd|rd|th)?(?![\w])")


def _spell(match: re.Match) -> str:
    whole, decimals, ordinal = match.group(1), match.group(2), match.group(3)
    value = int(whole.replace(",", ""))
    if ordinal and not decimals:
        return f" {ordinal_words(value)} "
    words = number_to_words(value)
    if decimals:
        words += " point " + " ".join(ONES[int(d)] for d in decimals)
    return f" {words} "


def numbers_to_words(text: str) -> str:
    return NUMBER.sub(_spell, text)


def normalise(text: str) -> str:
    """The words of ``text``, lower case and spelled out, separated by single spaces."""
    text = text.lower().replace("\u2019", "'").replace("%", " percent ").replace("&", " and ")
    text = numbers_to_words(text)
    text = re.sub(r"[-/\u2013\u2014]", " ", text)
    text = re.sub(r"\b([a-z])\.(?=[a-z]\.|\s|$)", r"\1", text)  # c.p.u. -> cpu
    text = re.sub(r"'(?![a-z])|(?<![a-z])'", " ", text)  # quotes, not the apostrophe in it's
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())
