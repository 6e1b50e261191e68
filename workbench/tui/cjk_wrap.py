"""Line breaking for text that mixes Chinese and English (the zh-TW READMEs).

Textual wraps words at spaces, and Chinese has none: a whole sentence is one "word" that gets folded at the
edge of the pane — in the middle of an English word (``clas`` / ``sification``) or just before a closing
mark, so a line starts with ``，`` or ``）``. Here a line may break between two Chinese characters and at
spaces, never inside an English word or number, never before closing punctuation and never after opening
punctuation (the usual rules for Chinese text). Text without Chinese characters is wrapped exactly as before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from rich.cells import cell_len, chop_cells

# No line starts with these (closing marks, and punctuation that belongs to the character before it).
NO_BREAK_BEFORE = set("，。、；：？！）」』】〉》〕］｝…‥・ー～,.;:!?)]}%％")
# No line ends with these (opening marks).
NO_BREAK_AFTER = set("（「『【〈《〔［｛([{")
# A quick test (in C) for text that needs these rules: CJK, kana, hangul, fullwidth forms and CJK punctuation.
# Compiled on first use (2-3 ms: not part of the first paint, whose text is English).
_WIDE_RANGES = (
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6]"
)
_wide_pattern: re.Pattern[str] | None = None


def has_wide(text: str) -> bool:
    """Does ``text`` hold a character that needs these rules? Text whose highest character is below U+2E80 (all
    of English, accents, arrows, dashes) only can through hangul jamo (U+1100-U+115F): answered without the pattern."""
    global _wide_pattern
    if not text:
        return False
    highest = max(text)
    if highest < "\u1100" or (highest < "\u2e80" and not any("\u1100" <= c <= "\u115f" for c in text)):
        return False
    if _wide_pattern is None:
        _wide_pattern = re.compile(_WIDE_RANGES)
    return _wide_pattern.search(text) is not None


def is_wide(char: str) -> bool:
    """A character that stands on its own for line breaking: CJK ideographs, kana, hangul and fullwidth forms."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _units(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the pieces a line may break between; the trailing spaces stay with their piece."""
    start = 0
    length = len(text)
    index = 0
    while index < length:
        char = text[index]
        if char.isspace():
            index += 1
            continue
        if is_wide(char) or char in NO_BREAK_BEFORE or char in NO_BREAK_AFTER:
            index += 1
        else:  # a run of narrow characters: an English word, a number, a path
            while (
                index < length
                and not text[index].isspace()
                and not is_wide(text[index])
                and text[index] not in NO_BREAK_AFTER
                and text[index] not in NO_BREAK_BEFORE
            ):
                index += 1
        # Closing marks cling to what comes before; opening marks to what comes after.
        while index < length and text[index] in NO_BREAK_BEFORE:
            index += 1
        if text[index - 1] in NO_BREAK_AFTER and index < length and not text[index].isspace():
            continue  # keep going: the opening mark joins the next piece
        while index < length and text[index].isspace():
            index += 1
        yield start, index
        start = index
    if start < length:
        yield start, length


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Offsets to break ``text`` at so each line fits ``width`` cells (rich's ``divide_line``, CJK-aware)."""
    if not has_wide(text):
        return _rich_divide_line(text, width, fold)
    breaks: list[int] = []
    offset = 0
    for start, end in _units(text):
        piece = text[start:end]
        piece_width = cell_len(piece.rstrip())
        if offset + piece_width <= width:
            offset += cell_len(piece)
            continue
        if piece_width > width and fold:  # longer than a line on its own: cut it
            if start:
                breaks.append(start)
            position = start
            chunks = _fold(piece, width)
            for chunk in chunks[:-1]:
                position += len(chunk)
                breaks.append(position)
            offset = cell_len(chunks[-1])
        else:
            if start:
                breaks.append(start)
            offset = cell_len(piece)
    return [b for b in breaks if 0 < b < len(text)]


def _fold(piece: str, width: int) -> list[str]:
    """A piece longer than a line, cut into lines: after a '/', '_', '-' or '.' where there is one (a path, a module
    name), else at the edge."""
    chunks: list[str] = []
    rest = piece
    while cell_len(rest) > width:
        head = chop_cells(rest, width)[0]
        for marks in ("/", "_-."):  # a folder boundary first, then a word boundary inside a name
            cut = max(head.rfind(mark) for mark in marks)
            if 0 < cut < len(head) - 1:
                head = head[: cut + 1]
                break
        chunks.append(head)
        rest = rest[len(head) :]
    chunks.append(rest)
    return chunks


def _rich_divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    from rich._wrap import divide_line as rich_divide_line

    return rich_divide_line(text, width, fold)


def install() -> None:
    """Make Textual's text wrapping (Content, used by Markdown, Static, Label) use these rules."""
    import textual.content

    if textual.content.divide_line is not divide_line:
        textual.content.divide_line = divide_line
