"""Text from a step, made safe to show on a terminal.

A step's output is data, not instructions to the learner's terminal: escape
sequences (CSI such as ``ESC[2J``, OSC such as ``ESC]0;title BEL``, DCS...)
and every other C0/C1 control character except tab and newline are removed
before the text reaches the TUI or the headless output.
Colours go too: step output arrives through a pipe, where well-behaved tools print none, and a plain
log is what the log filter, saved logs and CI logs need.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI: ESC [ parameters intermediates final (clear screen, move cursor, colours)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: ESC ] ... BEL or ST (window title, hyperlinks, clipboard)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC: ESC P/X/^/_ ... ST
    r"|\x1b[ -/]*[0-~]?"  # any other escape sequence (charset switches, keypad modes, reset)
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # other C0 and C1 controls (bell, backspace, CR, 8-bit CSI/OSC), not \t or \n
)


def printable(text: str) -> str:
    """``text`` without terminal control sequences or control characters (tab and newline kept)."""
    if text.isprintable():  # the common case, ~4x cheaper than the substitution
        return text
    return _CONTROL.sub("", text)
