"""Turning the model's scores into text, one token at a time.

The model gives a score (logit) per vocabulary entry for the next token.
*Temperature* divides the scores before the softmax: below 1 sharpens the
distribution (safer, more repetitive text), above 1 flattens it (more varied,
more mistakes); 0 means "always take the best" (greedy). *Top-k* keeps only
the k best-scoring tokens and samples among them, so a very unlikely token can
never be picked. Each token is yielded as soon as it is sampled, which is what
lets a service stream them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from domain.models.generative.gpt.tokenizer import end_of_text_id

Sampler = Callable[[Any, float, int, Any], int]


def sample_next_token(logits: Any, temperature: float, top_k: int, generator: Any) -> int:
    """One token id from 1-D ``logits``: greedy when temperature is 0; top_k 0 means the whole vocabulary."""
    import torch

    if temperature < 0:
        raise ValueError(f"temperature: must be 0 or more, got {temperature}")
    logits = logits.detach().float().cpu()
    if temperature == 0:
        return int(torch.argmax(logits))
    scaled = logits / temperature
    if 0 < top_k < scaled.numel():
        kth_best = torch.topk(scaled, top_k).values[-1]
        scaled = scaled.masked_fill(scaled < kth_best, float("-inf"))
    probabilities = torch.softmax(scaled, dim=-1)
    return int(torch.multinomial(probabilities, 1, generator=generator))


def generate_ids(
    model: Any,
    prompt_ids: list[int],
    max_new_tokens: int,
    temperature: float = 0.8,
    top_k: int = 40,
    seed: int = 0,
    sampler: Sampler = sample_next_token,
) -> Iterator[int]:
    """Yield exactly ``max_new_tokens`` sampled token ids, each as soon as it exists.

    The model keeps its attention keys/values of the tokens so far (the KV cache),
    so each new token costs one small forward pass. When the text outgrows the
    model's context, the cache is rebuilt from the last half of the context.
    """
    import torch

    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens: must be 0 or more, got {max_new_tokens}")
    if not prompt_ids:
        raise ValueError("prompt_ids: need at least one token to start from")
    context = int(model.config.n_positions)
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    cache_name = kv_cache_argument(model)
    ids = list(prompt_ids)[-context:]
    past = None
    feed = ids
    model.eval()
    with torch.no_grad():
        for _ in range(max_new_tokens):
            if past is not None and past.get_seq_length() + len(feed) > context:
                past, feed = None, ids[-(context // 2) :]  # out of room: start again from the recent tokens
            out = model(input_ids=torch.tensor([feed], device=device), use_cache=True, **{cache_name: past})
            past = getattr(out, cache_name)
            token = int(sampler(out.logits[0, -1], temperature, top_k, generator))
            ids.append(token)
            feed = [token]
            yield token


def kv_cache_argument(model: Any) -> str:
    """The name transformers gives the KV cache, in and out: ``cache`` from 5.x on, ``past_key_values`` before."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def text_pieces(tokenizer: Any, token_ids: Iterator[int]) -> Iterator[tuple[int, str]]:
    """(token id, the text it adds) for each id; <|endoftext|> becomes a line break.

    Byte-level tokens can split a multi-byte character; such a piece is held back
    (empty text) until the character is complete.
    """
    eot = end_of_text_id(tokenizer)
    sentence: list[int] = []
    shown = ""
    for token in token_ids:
        if token == eot:
            sentence, shown = [], ""
            yield token, "\n"
            continue
        sentence.append(token)
        text = tokenizer.decode(sentence)
        if text.endswith("\ufffd"):
            yield token, ""
            continue
        piece, shown = text[len(shown) :], text
        yield token, piece


def encode_prompt(tokenizer: Any, prompt: str) -> list[int]:
    """The prompt's ids after an <|endoftext|> (a sentence start, as in training)."""
    return [end_of_text_id(tokenizer), *tokenizer.encode(prompt).ids]
