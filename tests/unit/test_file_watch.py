import os

from workbench.runner.file_watch import FileWatch


def test_a_save_is_one_change_and_a_file_missing_for_a_moment_is_none(tmp_path):
    path = tmp_path / "exercise.py"
    path.write_text("x = 1\n")
    watch = FileWatch(path)
    assert not watch.changed()
    path.write_text("x = 22\n")  # a save: size (and usually mtime) changes
    assert watch.changed()
    assert not watch.changed()  # reported once
    path.unlink()  # an editor's delete-and-rename save, half done
    assert not watch.changed()
    path.write_text("x = 333\n")
    assert watch.changed()


def test_a_save_that_keeps_the_size_is_seen_by_its_time(tmp_path):
    path = tmp_path / "exercise.py"
    path.write_text("x = 1\n")
    watch = FileWatch(path)
    path.write_text("x = 2\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert watch.changed()
