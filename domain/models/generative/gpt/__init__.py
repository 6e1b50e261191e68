"""A tiny GPT-2-style causal language model, trained from scratch on the MLOps corpus.

    tokenizer.py  byte-level BPE tokenizer (Hugging Face ``tokenizers``), trained on the corpus
    model.py      the model (``transformers`` GPT2Config + GPT2LMHeadModel), seeds, device
    training.py   token stream, random training windows, next-token loss, held-out perplexity
    sampling.py   temperature / top-k sampling, one token at a time (so a service can stream them)
"""
