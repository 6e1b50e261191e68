"""Sampling from the tiny GPT: greedy, top-k, exactly the requested number of tokens, text as it comes."""

import pytest


@pytest.fixture(scope="module", autouse=True)
def gpt_parts():
    """torch, transformers and the GPT modules, imported when these tests run — not when every xdist worker
    collects the suite (~1.6 s of CPU per worker)."""
    global torch, LOGITS, load_mlops_corpus, GPTSettings, build_model, seed_everything
    global encode_prompt, generate_ids, sample_next_token, text_pieces, end_of_text_id, train_tokenizer
    pytest.importorskip("tokenizers", reason="needs the gpt extra: pip install 'mlops-workbench[gpt]'")
    pytest.importorskip("domain.models.generative.gpt")  # first: it sets OMP_WAIT_POLICY before torch loads
    torch = pytest.importorskip("torch", reason="needs the gpt extra: pip install 'mlops-workbench[gpt]'")
    from domain.data.sources.mlops_corpus import load_mlops_corpus
    from domain.models.generative.gpt.model import GPTSettings, build_model, seed_everything
    from domain.models.generative.gpt.sampling import encode_prompt, generate_ids, sample_next_token, text_pieces
    from domain.models.generative.gpt.tokenizer import end_of_text_id, train_tokenizer

    LOGITS = torch.tensor([0.1, 3.0, 2.9, -1.0, 0.5])


@pytest.fixture(scope="module")
def tokenizer(gpt_parts):
    return train_tokenizer(load_mlops_corpus().train[:500], vocab_size=400)


@pytest.fixture(scope="module")
def model(tokenizer):
    seed_everything(0)
    return build_model(
        GPTSettings(n_layer=1, n_head=2, n_embd=32, context=16), tokenizer.get_vocab_size(), end_of_text_id(tokenizer)
    ).eval()


def draws(temperature, top_k, n=400):
    generator = torch.Generator().manual_seed(0)
    return [sample_next_token(LOGITS, temperature, top_k, generator) for _ in range(n)]


def test_temperature_zero_and_top_k_one_always_pick_the_best_token():
    assert set(draws(0.0, 0)) == {1}
    assert set(draws(5.0, 1)) == {1}


def test_top_k_never_picks_outside_the_k_best_and_temperature_spreads_the_choice():
    assert set(draws(1.0, 2)) == {1, 2}
    assert len(set(draws(3.0, 0))) == 5
    assert draws(0.2, 0).count(1) > draws(3.0, 0).count(1)


def test_a_negative_temperature_is_refused():
    with pytest.raises(ValueError, match="temperature: must be 0 or more"):
        sample_next_token(LOGITS, -1.0, 0, torch.Generator())


def test_exactly_the_requested_tokens_even_past_the_context_and_the_same_seed_repeats(model, tokenizer):
    prompt = encode_prompt(tokenizer, "The model")
    first = list(generate_ids(model, prompt, 50, temperature=1.0, top_k=20, seed=3))  # context is 16 tokens
    assert len(first) == 50
    assert first == list(generate_ids(model, prompt, 50, temperature=1.0, top_k=20, seed=3))
    assert first != list(generate_ids(model, prompt, 50, temperature=1.0, top_k=20, seed=4))


def test_the_kv_cache_gives_the_same_tokens_as_running_the_whole_text_each_time(model, tokenizer):
    prompt = encode_prompt(tokenizer, "Docker")
    cached = list(generate_ids(model, prompt, 10, temperature=0.0, top_k=0))
    ids = list(prompt)
    with torch.no_grad():
        for _ in range(10):
            ids.append(int(model(input_ids=torch.tensor([ids])).logits[0, -1].argmax()))
    assert cached == ids[len(prompt) :]


def test_text_pieces_add_up_to_the_decoded_text_and_end_of_text_is_a_line_break(tokenizer):
    eot = end_of_text_id(tokenizer)
    first, second = tokenizer.encode("The model was deployed.").ids, tokenizer.encode("Déjà vu ✓").ids
    pieces = list(text_pieces(tokenizer, iter(first + [eot] + second)))
    assert [token for token, _ in pieces] == first + [eot] + second
    assert "".join(piece for _, piece in pieces) == "The model was deployed.\nDéjà vu ✓"
