"""Reading audio for Whisper: WAV and FLAC give the same samples; a missing or unreadable file is one clear error."""

from typing import Any

import numpy as np
import pytest

pytest.importorskip("faster_whisper", reason="the 'speech' extra is not installed: pip install 'mlops-workbench[speech]'")
import av  # noqa: E402  (comes with faster-whisper)

from domain.data.pipelines.write_speech_clips import read_wav  # noqa: E402
from domain.data.sources.speech_clips import load_speech_clips  # noqa: E402
from domain.models.generative.speech.audio import AudioError, from_int16, load_audio, seconds  # noqa: E402


def _encode(samples: np.ndarray, path, codec: str, rate: int) -> None:
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream(codec, rate=rate, layout="mono")  # an audio stream: it has encode()
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def test_a_bundled_wav_reads_as_its_own_samples_scaled_to_minus_one_one():
    clip = load_speech_clips()[0]
    samples = load_audio(clip.path)
    assert samples.dtype == np.float32
    assert seconds(samples) == pytest.approx(clip.seconds, abs=1e-3)
    assert np.array_equal(samples, from_int16(read_wav(clip.path)))


def test_flac_is_lossless_and_other_rates_are_resampled_to_16khz(tmp_path):
    clip = load_speech_clips()[0]
    original = read_wav(clip.path)
    _encode(original, tmp_path / "clip.flac", "flac", 16_000)
    assert np.array_equal(load_audio(tmp_path / "clip.flac"), from_int16(original))
    _encode(np.repeat(original, 3), tmp_path / "clip_48k.flac", "flac", 48_000)  # 3 samples per sample: 48 kHz
    assert seconds(load_audio(tmp_path / "clip_48k.flac")) == pytest.approx(clip.seconds, abs=0.01)


def test_a_missing_file_a_folder_and_a_text_file_are_named_with_the_reason(tmp_path):
    with pytest.raises(AudioError, match=r"nope\.wav: no such file$"):
        load_audio(tmp_path / "nope.wav")
    with pytest.raises(AudioError, match=r": not a file$"):
        load_audio(tmp_path)
    notes = tmp_path / "notes.wav"
    notes.write_text("this is not audio")
    with pytest.raises(AudioError) as caught:
        load_audio(notes)
    message = str(caught.value)
    assert message.startswith(f"{notes}: not readable as audio (WAV, MP3, FLAC, ...): Invalid data")
    assert "\n" not in message and message.count(str(notes)) == 1
