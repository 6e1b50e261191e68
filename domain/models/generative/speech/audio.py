"""Read an audio file for Whisper: any format FFmpeg (through PyAV) decodes, as 16 kHz mono float32 samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000  # Whisper's feature extractor expects 16 kHz


class AudioError(ValueError):
    """The file cannot be used as audio; the message names the path and why."""


def load_audio(path: str | Path) -> np.ndarray:
    """Samples in [-1, 1] at 16 kHz mono (stereo is mixed down, other rates resampled)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if not path.is_file():
        raise AudioError(f"{path}: not a file")
    import av
    from faster_whisper import decode_audio

    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except (av.FFmpegError, ValueError, IndexError, OSError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)  # FFmpeg's errors repeat the path; keep the reason
        raise AudioError(f"{path}: not readable as audio (WAV, MP3, FLAC, ...): {why}") from None
    if samples.size == 0:
        raise AudioError(f"{path}: no audio samples in it")
    return samples.astype(np.float32, copy=False)


def from_int16(samples: np.ndarray) -> np.ndarray:
    """int16 PCM (what the clip writer makes) -> float32 in [-1, 1], as ``load_audio`` returns."""
    return (samples.astype(np.float32) / 32768.0).astype(np.float32)


def seconds(samples: np.ndarray) -> float:
    return len(samples) / SAMPLE_RATE
