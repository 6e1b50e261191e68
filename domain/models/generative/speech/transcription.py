"""Transcribe samples with a loaded Whisper model: segments arrive one by one, as the decoder finishes them.

faster-whisper's ``transcribe`` returns a generator: nothing is decoded until
you iterate, and each segment (a stretch of speech with its start and end
time) is yielded as soon as it is done. ``transcribe`` here hands each one to
``on_segment`` right away, so a long file shows text long before it ends, and
times the whole thing for the real-time factor.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from domain.models.generative.speech.audio import seconds


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the start of the audio
    end: float
    text: str


@dataclass
class Transcript:
    segments: list[Segment] = field(default_factory=list)
    audio_seconds: float = 0.0
    processing_seconds: float = 0.0

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)

    @property
    def real_time_factor(self) -> float:
        """Processing time / audio duration: below 1 is faster than real time."""
        return self.processing_seconds / self.audio_seconds if self.audio_seconds else float("inf")


def transcribe(model, samples: np.ndarray, on_segment: Callable[[Segment], None] | None = None, beam_size: int = 5) -> Transcript:
    """Transcribe ``samples`` (16 kHz mono float32); time covers features, encoder and decoder, not file reading."""
    started = time.perf_counter()
    pieces, _info = model.transcribe(samples, language="en", beam_size=beam_size, vad_filter=False)
    transcript = Transcript(audio_seconds=seconds(samples))
    for piece in pieces:  # decoding happens here, one segment at a time
        segment = Segment(start=float(piece.start), end=float(piece.end), text=piece.text.strip())
        transcript.segments.append(segment)
        if on_segment is not None:
            paused = time.perf_counter()
            on_segment(segment)
            started += time.perf_counter() - paused  # reporting is not transcription
    transcript.processing_seconds = time.perf_counter() - started
    return transcript
