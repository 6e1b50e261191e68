"""The MLOps corpus the gpt-from-scratch lesson trains on: reproducible, two disjoint splits, bad lines named."""

import json

import pytest

from domain.data.pipelines.write_mlops_corpus import build
from domain.data.sources.mlops_corpus import DATA_FILE, load_mlops_corpus


def test_the_committed_file_is_what_the_script_writes():
    rows = [json.loads(line) for line in DATA_FILE.read_text(encoding="utf-8").splitlines()]
    assert rows == build()


def test_three_thousand_sentences_with_a_held_out_tenth_that_never_appears_in_training():
    corpus = load_mlops_corpus()
    assert (len(corpus.train), len(corpus.heldout)) == (2700, 300)
    assert not set(corpus.train) & set(corpus.heldout)
    assert len(set(corpus.train)) == len(corpus.train)
    assert all(line.isascii() and line.endswith((".", "!")) for line in corpus.train + corpus.heldout)


def test_a_bad_line_is_named_with_its_number(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"text": "ok.", "split": "train"}\n{"text": "no split"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"corpus.jsonl: line 2: expected text .* and split"):
        load_mlops_corpus(path)


def test_an_empty_split_is_refused(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"text": "only training text.", "split": "train"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no sentences in the 'heldout' split"):
        load_mlops_corpus(path)
