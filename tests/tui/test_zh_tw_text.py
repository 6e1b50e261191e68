"""Traditional Chinese as a reader sees it: README lines break between characters, never inside an English word and
never before closing punctuation; and no English string reaches a zh-TW screen without `lessons check` noticing."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from tests.tui.conftest import lessons_loaded
from workbench import i18n
from workbench.tui.cjk_wrap import NO_BREAK_BEFORE, divide_line

SAMPLE = "這是一個classification的例子，我們用scikit-learn來訓練（RandomForest）模型。然後再看confusion matrix。"
WORDS = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def lines_of(text: str, width: int) -> list[str]:
    breaks = divide_line(text, width)
    return [text[start:end] for start, end in zip([0, *breaks], [*breaks, len(text)], strict=True)]


def split_words(lines: list[str], source: str) -> list[str]:
    """English words cut in two at a line end (the two halves appear joined in the source)."""
    found = []
    for upper, lower in zip(lines, lines[1:], strict=False):
        tail = re.search(r"([A-Za-z0-9_-]+)$", upper.rstrip("\n"))
        head = re.match(r"^([A-Za-z0-9_-]+)", lower)
        if tail and head and not upper.endswith(" ") and tail.group(1) + head.group(1) in source:
            found.append(f"{tail.group(1)}|{head.group(1)}")
    return found


def test_chinese_lines_break_between_characters_not_inside_words_or_before_closing_marks():
    for width in range(16, 60):
        lines = lines_of(SAMPLE, width)
        assert "".join(lines) == SAMPLE
        assert not split_words(lines, SAMPLE), (width, lines)
        assert not any(line[:1] in NO_BREAK_BEFORE for line in lines[1:]), (width, lines)
        assert all(sum(2 if ord(c) > 0x2E80 else 1 for c in line.rstrip()) <= width for line in lines), (width, lines)


def test_english_text_wraps_exactly_as_textual_does():
    from rich._wrap import divide_line as rich_divide_line

    text = "Train a RandomForest on iris from a config file, evaluate it, and save it to the BentoML model store."
    for width in (10, 20, 33, 80):
        assert divide_line(text, width) == rich_divide_line(text, width)


async def test_the_zh_tw_readme_pane_keeps_english_words_whole(make_app):
    from textual.widgets._markdown import MarkdownBlock

    i18n.set_language(i18n.ZH_TW)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson("model-validation")
        await pilot.pause(0.5)
        readme = app.screen.query_one("#readme")
        source = app.screen.lesson.readme_text()
        assert app.screen.lesson.readme_path.name == "README.zh-TW.md"
        checked = 0
        for block in readme.query(MarkdownBlock):
            if block.size.height < 2 or not block.size.width:
                continue
            lines = ["".join(segment.text for segment in block.render_line(y)).strip() for y in range(block.size.height)]
            lines = [line for line in lines if line]
            checked += 1
            assert not split_words(lines, source.replace("\n", "")), lines
            assert not any(line[:1] in NO_BREAK_BEFORE for line in lines[1:]), lines
        assert checked >= 3  # wrapped paragraphs were looked at


def test_a_string_shown_without_t_is_reported_with_its_file_and_line(tmp_path: Path):
    from workbench.i18n_coverage import unwrapped_literals

    screen = tmp_path / "screen.py"
    screen.write_text(
        textwrap.dedent("""
        from workbench.i18n import t

        class S:
            def act(self, path):
                self.notify("nothing is running")
                self.notify(t("translated"), title="params")
                self.query_one("#x").update(f"log saved to {path}")
                self.query_one("#y").update(f"{path}: {path}")
                self.border_title = "a title in English"
                self.notify("$ mlops-workbench runs")  # i18n: not translated
    """),
        encoding="utf-8",
    )
    found = {(item.line, item.text) for item in unwrapped_literals(tmp_path)}
    assert found == {(6, "nothing is running"), (7, "params"), (8, "log saved to"), (10, "a title in English")}


def test_a_message_split_over_lines_is_one_catalogue_entry():
    from workbench.i18n_coverage import source_msgids

    # serving_screen.py writes this t("...") over two source lines.
    assert (
        "The service serves the model that the model-validation lesson approved: press [b]m[/] to open that lesson "
        "and run it (r); it trains the model first if there is none. Then come back (v)."
    ) in source_msgids()


def test_every_string_the_screens_show_is_in_the_zh_tw_catalogue():
    from workbench.i18n_coverage import missing

    assert missing("zh-TW") == []
