import json

import pytest

from domain.data.pipelines.write_topic_sentences import build
from domain.data.sources.topic_text_source import DATA_FILE, load_topic_sentences


def test_the_committed_file_is_what_the_script_writes():
    rows = [json.loads(line) for line in DATA_FILE.read_text().splitlines()]
    assert rows == build()


def test_balanced_splits_and_a_majority_baseline_of_one_fifth():
    train, test, labels = load_topic_sentences()
    assert labels == ["finance", "health", "sports", "technology", "weather"]
    assert (len(train.texts), len(test.texts)) == (210, 90)
    assert not set(train.texts) & set(test.texts)
    assert test.majority_baseline(train) == pytest.approx(0.2)


def test_a_bad_line_is_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "label": "sports", "split": "train"}\n{"text": "no split", "label": "sports"}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl: line 2: expected text, label and split"):
        load_topic_sentences(path)
