"""A tiny GPT-2-style causal language model, trained from scratch on the MLOps corpus.

tokenizer.py  byte-level BPE tokenizer (Hugging Face ``tokenizers``), trained on the corpus
model.py      the model (``transformers`` GPT2Config + GPT2LMHeadModel), seeds, device
training.py   token stream, random training windows, next-token loss, held-out perplexity
sampling.py   temperature / top-k sampling, one token at a time (so a service can stream them)
"""

import os

# PyTorch's CPU threads (OpenMP) spin while they wait for work. On a machine busier than its cores (2 cores,
# other tests running) the spinning threads take the CPU from each other: measured here, 15 training steps took
# 172 s with spinning and 7 s with sleeping threads. Set before torch is imported; a value you set yourself wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
