"""Exercise: sample the next token with temperature and top-k.

The model gives one score (logit) per vocabulary entry. This version always
takes the single best token ("greedy"), so it ignores ``temperature`` and
``top_k`` and the same prompt always gives the same, often repetitive, text.

Make it sample:
  - temperature 0: keep the greedy choice (the best token);
  - otherwise divide the logits by ``temperature``;
  - if 0 < top_k < number of logits, keep only the ``top_k`` highest scores
    (set the others to -inf, so their probability becomes 0);
  - turn the scores into probabilities with a softmax and draw one token
    with ``torch.multinomial(..., 1, generator=generator)``.

Return the token id as a plain ``int``. Save the file: the check runs it
thousands of times and compares how often each token comes out with the
probabilities it should have.
"""

import torch


def sample_next_token(logits: torch.Tensor, temperature: float, top_k: int, generator: torch.Generator) -> int:
    return int(torch.argmax(logits))
