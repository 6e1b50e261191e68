"""A checkpoint is a folder: the model (``config.json`` + ``model.safetensors``), the tokenizer, and a record.

    <folder>/model/config.json          GPT2Config: the architecture
    <folder>/model/model.safetensors    the weights
    <folder>/tokenizer.json             the byte-level BPE tokenizer (vocabulary + merges)
    <folder>/training.json              settings, perplexity per evaluation, seconds, device

Everything needed to generate text again is in the folder; nothing else is read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domain.models.generative.gpt.tokenizer import load_tokenizer, save_tokenizer

MODEL_DIR = "model"
TOKENIZER_FILE = "tokenizer.json"
RECORD_FILE = "training.json"


def save_checkpoint(folder: Path, model: Any, tokenizer: Any, record: dict[str, Any]) -> list[Path]:
    """Write the three parts into ``folder`` (created); returns the files written."""
    from transformers.utils import logging

    logging.disable_progress_bar()  # a step's log is read by people: no progress bars for a 2 MB file
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder / MODEL_DIR)
    save_tokenizer(tokenizer, folder / TOKENIZER_FILE)
    tmp = folder / (RECORD_FILE + ".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    tmp.replace(folder / RECORD_FILE)
    return sorted(p for p in folder.rglob("*") if p.is_file())


def load_checkpoint(folder: Path, device: Any = None) -> tuple[Any, Any, dict[str, Any]]:
    """(model in eval mode, tokenizer, training record) from a checkpoint folder."""
    from transformers import GPT2LMHeadModel
    from transformers.utils import logging

    logging.disable_progress_bar()
    folder = Path(folder)
    for part in (folder / MODEL_DIR / "config.json", folder / TOKENIZER_FILE, folder / RECORD_FILE):
        if not part.is_file():
            raise FileNotFoundError(f"{part}: missing from the checkpoint (train and save the model again)")
    model = GPT2LMHeadModel.from_pretrained(folder / MODEL_DIR, local_files_only=True)
    if device is not None:
        model.to(device)
    model.eval()
    record = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
    return model, load_tokenizer(folder / TOKENIZER_FILE), record
