"""The speech clips this project synthesised (see DATA_CARD.md here): WAV files and what was said in each.

``load_speech_clips()`` returns them in order: ``SpeechClip(id="clip_01", path=..., text="The model was ...", seconds=3.8)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

CLIPS_DIR = Path(__file__).resolve().parent
TRANSCRIPTS = CLIPS_DIR / "transcripts.jsonl"


@dataclass(frozen=True)
class SpeechClip:
    id: str
    path: Path
    text: str  # the reference transcript: what was said, as a person would type it
    seconds: float


def load_speech_clips(transcripts: Path = TRANSCRIPTS) -> list[SpeechClip]:
    """Every clip listed in ``transcripts``, in order; a bad line or a missing WAV is named."""
    clips = []
    for number, line in enumerate(transcripts.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            clip = SpeechClip(row["id"], transcripts.parent / row["file"], row["text"], float(row["seconds"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"{transcripts}: line {number}: expected a JSON object with id, file, text and seconds "
                f"({type(exc).__name__}: {exc})"
            ) from None
        if not clip.path.is_file():
            raise ValueError(f"{transcripts}: line {number}: the audio file {clip.path} does not exist")
        clips.append(clip)
    return clips
