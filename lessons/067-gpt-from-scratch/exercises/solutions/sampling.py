"""Reference solution: temperature scales the scores, top-k cuts the tail, then one draw from the softmax."""

import torch


def sample_next_token(logits: torch.Tensor, temperature: float, top_k: int, generator: torch.Generator) -> int:
    if temperature == 0:
        return int(torch.argmax(logits))
    scaled = logits.float() / temperature
    if 0 < top_k < scaled.numel():
        kth_best = torch.topk(scaled, top_k).values[-1]
        scaled = scaled.masked_fill(scaled < kth_best, float("-inf"))
    probabilities = torch.softmax(scaled, dim=-1)
    return int(torch.multinomial(probabilities, 1, generator=generator))
