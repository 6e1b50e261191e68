"""Check for the sampling exercise: the learner's sampler must draw tokens with the right probabilities.

Each case draws ``draws`` tokens from fixed logits with a seeded generator and
compares how often each token came out with the distribution it should follow
(softmax of logits / temperature, restricted to the top k). The distance is
the total variation: half the sum of |observed share - expected share|, 0 for
a perfect match, 1 for two distributions with nothing in common.
"""

from __future__ import annotations

from shared import events
from workbench.runner.child.learner_code import load_learner_module, require

LOGITS = [2.0, 1.6, 1.2, 0.8, 0.4, 0.0, -0.4, -0.8, -1.2, -2.0]
CASES = [  # (name, temperature, top_k)
    ("temperature 0 is greedy", 0.0, 0),
    ("temperature 1, whole vocabulary", 1.0, 0),
    ("temperature 0.5 sharpens", 0.5, 0),
    ("temperature 2 flattens", 2.0, 0),
    ("top-k 3 keeps the best three", 1.0, 3),
]


def expected_shares(temperature: float, top_k: int) -> list[float]:
    import torch

    logits = torch.tensor(LOGITS)
    if temperature == 0:
        return [1.0 if i == int(torch.argmax(logits)) else 0.0 for i in range(len(LOGITS))]
    scaled = logits / temperature
    if 0 < top_k < len(LOGITS):
        scaled = scaled.masked_fill(scaled < torch.topk(scaled, top_k).values[-1], float("-inf"))
    return torch.softmax(scaled, dim=-1).tolist()


def check_sampling(path: str, draws: int = 4000, tolerance: float = 0.05) -> dict:
    import torch

    sample = require(
        load_learner_module(path), "sample_next_token", "a function (logits, temperature, top_k, generator) -> token id"
    )
    passed = 0
    failures: list[str] = []
    for number, (name, temperature, top_k) in enumerate(CASES, start=1):
        generator = torch.Generator().manual_seed(number)
        counts = [0] * len(LOGITS)
        for _ in range(draws):
            token = sample(torch.tensor(LOGITS), temperature, top_k, generator)
            if not isinstance(token, int) or not 0 <= token < len(LOGITS):
                failures.append(f"{name}: returned {token!r}, expected an int token id in 0..{len(LOGITS) - 1}")
                break
            counts[token] += 1
        else:
            observed = [c / draws for c in counts]
            expected = expected_shares(temperature, top_k)
            distance = 0.5 * sum(abs(o - e) for o, e in zip(observed, expected, strict=True))
            events.metric("total_variation", distance, step=number)
            ok = distance <= tolerance
            passed += ok
            print(f"{'ok  ' if ok else 'FAIL'} {name:<34} distance {distance:.3f} (≤ {tolerance:g} passes)")
            print(f"       expected {' '.join(f'{e:.2f}' for e in expected)}")
            print(f"       observed {' '.join(f'{o:.2f}' for o in observed)}")
            if not ok:
                failures.append(f"{name}: distance {distance:.3f} > {tolerance:g}")
    summary = (
        f"all {len(CASES)} sampling cases match their distributions"
        if not failures
        else f"{passed}/{len(CASES)} cases pass; first failure: {failures[0]}"
    )
    return {"sampling_cases_passed": passed, "sampling_cases": len(CASES), "summary": summary}
