"""``mlops-workbench lessons new ID --layer LAYER``: a new lesson folder that passes ``lessons check`` at once.

It writes the four things a lesson is: what it is (lesson.toml), what it says
(README.md and its zh-TW translation, lesson.zh-TW.toml), what it runs
(steps.py: one working step that reports a metric) — and leaves exercises/ for
when the lesson has one (CONTRIBUTING.md says how). Every file says what to
change next.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import unicodedata
from pathlib import Path

from shared.constants import LAYERS
from shared.utils.atomic_files import write_text_atomic
from workbench.curriculum.lesson_loader import FOLDER_PATTERN
from workbench.curriculum.lesson_schema import ID_PATTERN, reserved_id_problem


class ScaffoldError(ValueError):
    """The id, layer, title or order cannot make a new lesson (bad usage); the message says why and what would."""


class ScaffoldWriteError(RuntimeError):
    """The lessons folder would not take the new lesson (not writable, full): a failure, not bad usage."""


LESSON_TOML = """format_version = 1
id = "{id}"
title = {title_toml}
layer = "{layer}"
summary = "One sentence: what the learner runs and what they see."
objectives = [
    "Say what the {layer} layer is for, in one line",
    "Run the step and read its metric",
]
prerequisites = []          # lesson ids whose outputs this lesson needs (they run first headless)

[requirements]
extras = []                 # pip extras of mlops-workbench that steps.py imports (e.g. "sklearn")

# Each step is a function of steps.py; it runs in its own child process.
[[steps]]
id = "first-step"
title = "Count to {count} and report it"
entry = "steps.py:first_step"
params = {{ count = {count} }}
timeout_s = 60
checks = [{{ output = "counted", min = {count} }}]
"""

STEPS_PY = '''"""The {id} lesson's steps. Each function named in lesson.toml runs in its own child process.

Call the layer code the lesson teaches from here (``from {layer}... import ...``)
and name those files in README.md: `mlops-workbench lessons check` makes sure
the README names every layer module this script imports.
"""

from __future__ import annotations

from shared import events


def first_step(count: int = {count}) -> dict:
    """Replace with the real thing. Narrate with events.log, chart with events.metric, show progress."""
    for done in range(1, count + 1):
        events.metric("counted", done, step=done)
        events.progress(done, count, "counted")
    events.log(f"counted to {{count}}")
    return {{"counted": count, "summary": f"counted to {{count}}"}}
'''

README = """# {title}

What the **{layer}** layer is for, in two sentences, and what this lesson shows of it.

**Code it runs:** the lesson's step script [`steps.py`](steps.py).

## Steps

| step | runs | what it does |
|---|---|---|
| `first-step` | `steps.py` → `first_step` | counts to {count}, one metric point per number |

Equivalent shell command:

```bash
mlops-workbench --lesson {id}
```

## What "passed" means

`counted ≥ {count}`.

## Try next

Change `count` with `mlops-workbench --lesson {id} --param count=5`.
"""

README_ZH = """# {title}（待翻譯）

**{layer}** 層的用途，以及這一課示範的內容（待翻譯）。

**執行的程式碼：** 這一課的步驟腳本 [`steps.py`](steps.py)。

## 步驟

| 步驟 | 執行 | 做什麼 |
|---|---|---|
| `first-step` | `steps.py` → `first_step` | 從 1 數到 {count}，每個數字一個指標點 |

```bash
mlops-workbench --lesson {id} --lang zh-TW
```
"""

TEXT_ZH = """title = {title_zh_toml}
summary = "一句話：學習者執行什麼、看到什麼（待翻譯）。"
objectives = ["說明 {layer} 層的用途（待翻譯）", "執行步驟並讀懂它的指標（待翻譯）"]

[steps.first-step]
title = "數到 {count} 並回報（待翻譯）"
"""


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: JSON's escapes (\\" \\\\ \\n \\uXXXX) are TOML's too, and TOML wants DEL escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _one_line(title: str) -> str:
    """The title, when it is one line of text (no newline or other control character, nothing UTF-8 cannot write)."""
    bad = next((ch for ch in title if unicodedata.category(ch) in ("Cc", "Cs") and ch != "\t"), None)
    if bad is not None:
        raise ScaffoldError(f"title {title!r}: expected one line of text, without {bad!r}")
    return title


def _next_order(root: Path) -> int:
    orders = [int(m["order"]) for p in root.iterdir() if p.is_dir() and (m := FOLDER_PATTERN.match(p.name))]
    return (max(orders, default=0) // 5 + 1) * 5


def new_lesson(root: Path, lesson_id: str, layer: str, order: int | None = None, title: str | None = None) -> Path:
    """Create ``<root>/<NNN>-<id>/`` and return it; nothing is written when the id, layer or order is unusable."""
    if not re.match(ID_PATTERN, lesson_id):
        raise ScaffoldError(f"lesson id '{lesson_id}': expected lowercase words joined by '-', e.g. 'feature-store'")
    if (reserved := reserved_id_problem(lesson_id)) is not None:
        raise ScaffoldError(f"lesson id {reserved}")
    if layer not in LAYERS:
        raise ScaffoldError(f"layer '{layer}': expected one of {', '.join(LAYERS)}")
    if not root.is_dir():
        raise ScaffoldError(f"{root}: lessons folder not found")
    taken = [p.name for p in root.iterdir() if (m := FOLDER_PATTERN.match(p.name)) and m["slug"] == lesson_id]
    if taken:
        raise ScaffoldError(f"lesson id '{lesson_id}' is already used by {root / taken[0]}")
    order = _next_order(root) if order is None else order
    if not 0 < order < 1000:
        raise ScaffoldError(f"order {order}: expected a number from 1 to 999 (the folder prefix, e.g. 095)")
    folder = root / f"{order:03d}-{lesson_id}"
    title = _one_line(title) if title else lesson_id.replace("-", " ").capitalize()
    values = {
        "id": lesson_id,
        "layer": layer,
        "count": 3,
        "title": title,
        "title_toml": toml_string(title),
        "title_zh_toml": toml_string(f"{title}（待翻譯）"),
    }
    # Written beside it under a hidden name, then renamed: a reader never sees half a lesson, a failure leaves none.
    staging = root / f".{folder.name}.{os.getpid()}-{secrets.token_hex(4)}.partial"
    try:
        staging.mkdir()
        for name, template in (
            ("lesson.toml", LESSON_TOML),
            ("steps.py", STEPS_PY),
            ("README.md", README),
            ("README.zh-TW.md", README_ZH),
            ("lesson.zh-TW.toml", TEXT_ZH),
        ):
            write_text_atomic(staging / name, template.format(**values))
        staging.rename(folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ScaffoldWriteError(f"cannot write the new lesson in {root}: {exc.strerror or exc}") from None
    return folder
