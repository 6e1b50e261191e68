"""The tiny GPT's parts on their own: tokenizer, windows, perplexity, a few training steps, the checkpoint."""

import math

import pytest


@pytest.fixture(scope="module", autouse=True)
def gpt_parts():
    """torch, transformers and the GPT modules, imported when these tests run — not when every xdist worker
    collects the suite (~1.6 s of CPU per worker)."""
    global torch, CPU, load_mlops_corpus, load_checkpoint, save_checkpoint, GPTSettings, build_model, seed_everything
    global END_OF_TEXT, end_of_text_id, train_tokenizer, TrainSettings, covering_windows, perplexity, token_stream
    global train_language_model
    pytest.importorskip("tokenizers", reason="needs the gpt extra: pip install 'mlops-workbench[gpt]'")
    pytest.importorskip("domain.models.generative.gpt")  # first: it sets OMP_WAIT_POLICY before torch loads
    torch = pytest.importorskip("torch", reason="needs the gpt extra: pip install 'mlops-workbench[gpt]'")
    from domain.data.sources.mlops_corpus import load_mlops_corpus
    from domain.models.generative.gpt.checkpoint import load_checkpoint, save_checkpoint
    from domain.models.generative.gpt.model import GPTSettings, build_model, seed_everything
    from domain.models.generative.gpt.tokenizer import END_OF_TEXT, end_of_text_id, train_tokenizer
    from domain.models.generative.gpt.training import (
        TrainSettings,
        covering_windows,
        perplexity,
        token_stream,
        train_language_model,
    )

    CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def corpus(gpt_parts):
    return load_mlops_corpus()


@pytest.fixture(scope="module")
def tokenizer(corpus):
    return train_tokenizer(corpus.train, vocab_size=512)


def tiny_model(tokenizer, context=32, seed=0):
    seed_everything(seed)
    return build_model(
        GPTSettings(n_layer=1, n_head=2, n_embd=32, context=context), tokenizer.get_vocab_size(), end_of_text_id(tokenizer)
    )


def test_the_tokenizer_is_the_same_every_time_and_round_trips_any_text(corpus, tokenizer):
    again = train_tokenizer(corpus.train, vocab_size=512)
    assert again.get_vocab() == tokenizer.get_vocab()
    assert tokenizer.get_vocab_size() == 512 and tokenizer.token_to_id(END_OF_TEXT) is not None
    for text in (corpus.heldout[0], "Zürich déploie 模型 🚀 — never seen"):  # byte-level: nothing is unknown
        assert tokenizer.decode(tokenizer.encode(text).ids) == text
    assert len(tokenizer.encode(" the model").ids) <= 2  # frequent words became single tokens


def test_a_vocabulary_too_small_for_the_bytes_is_refused(corpus):
    with pytest.raises(ValueError, match="vocab_size: 100 is too small"):
        train_tokenizer(corpus.train, vocab_size=100)


def test_covering_windows_predict_every_token_after_the_first_exactly_once():
    stream = torch.arange(20)
    windows = covering_windows(stream, context=6)
    predicted = [int(t) for w in windows for t in w[1:] if t >= 0]
    assert predicted == list(range(1, 20))


def test_an_untrained_model_is_about_as_perplexed_as_the_vocabulary_is_large(corpus, tokenizer):
    heldout = token_stream(tokenizer, corpus.heldout[:50])
    value = perplexity(tiny_model(tokenizer), heldout, 32, CPU)
    assert 0.5 * 512 < value < 2 * 512


def test_a_few_training_steps_lower_held_out_perplexity_and_the_same_seed_gives_the_same_numbers(corpus, tokenizer):
    train, heldout = token_stream(tokenizer, corpus.train[:600]), token_stream(tokenizer, corpus.heldout[:50])
    settings = TrainSettings(steps=30, batch_size=16, learning_rate=5e-3, warmup_steps=5, eval_every=10)
    runs = []
    for _ in range(2):
        model = tiny_model(tokenizer)
        runs.append(train_language_model(model, train, heldout, settings, 32, CPU, torch.Generator().manual_seed(0)))
    assert [step for step, _ in runs[0]] == [10, 20, 30]
    assert runs[0][-1][1] < 0.7 * runs[0][0][1]
    assert runs[0] == runs[1]


def test_a_checkpoint_folder_gives_back_the_same_model_and_tokenizer(tmp_path, corpus, tokenizer):
    model = tiny_model(tokenizer)
    files = save_checkpoint(tmp_path / "ckpt", model, tokenizer, {"perplexity_last": 3.0})
    assert {p.name for p in files} >= {"config.json", "model.safetensors", "tokenizer.json", "training.json"}
    loaded, loaded_tokenizer, record = load_checkpoint(tmp_path / "ckpt")
    ids = torch.tensor([loaded_tokenizer.encode(corpus.heldout[0]).ids])
    with torch.no_grad():
        assert torch.equal(model.eval()(input_ids=ids).logits, loaded(input_ids=ids).logits)
    assert record == {"perplexity_last": 3.0}
    assert math.isfinite(perplexity(loaded, ids[0], 32, CPU))


def test_a_missing_part_of_the_checkpoint_is_named(tmp_path, tokenizer):
    save_checkpoint(tmp_path / "ckpt", tiny_model(tokenizer), tokenizer, {})
    (tmp_path / "ckpt" / "tokenizer.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"ckpt/tokenizer.json: missing from the checkpoint"):
        load_checkpoint(tmp_path / "ckpt")
