"""The committed speech clips: what the loader returns, that the script reproduces them, and the seeded noise."""

import json
import shutil
import subprocess

import numpy as np
import pytest

from domain.data.pipelines import write_speech_clips as pipeline
from domain.data.sources.speech_clips import CLIPS_DIR, load_speech_clips


def test_twelve_clips_of_16khz_mono_speech_with_their_transcripts():
    clips = load_speech_clips()
    assert [c.id for c in clips] == [f"clip_{n:02d}" for n in range(1, 13)]
    assert [c.text for c in clips] == pipeline.SENTENCES
    for clip in clips:
        samples = pipeline.read_wav(clip.path)  # refuses anything but mono 16-bit 16 kHz
        assert len(samples) / pipeline.SAMPLE_RATE == pytest.approx(clip.seconds, abs=1e-3)
        assert 2.5 < clip.seconds < 6.5
        lead = samples[: int(0.2 * pipeline.SAMPLE_RATE)]
        assert np.abs(lead).max() < 50 < np.abs(samples).max()  # silence first, then speech
    total_bytes = sum(c.path.stat().st_size for c in clips)
    assert total_bytes < 2_000_000  # kept small enough to commit


def test_the_data_card_states_what_the_lesson_relies_on():
    card = (CLIPS_DIR / "DATA_CARD.md").read_text()
    for fact in ("16 kHz mono 16-bit", "espeak-ng", f"{pipeline.NOISE_SNR_DB:g} dB", f"seed {pipeline.NOISE_SEED}"):
        assert fact in card
    for clip in load_speech_clips():
        assert clip.text in card


def test_a_bad_line_and_a_missing_wav_are_named(tmp_path):
    bad = tmp_path / "transcripts.jsonl"
    bad.write_text('{"id": "a", "file": "a.wav", "text": "hi"}\n')
    with pytest.raises(ValueError, match=r"transcripts.jsonl: line 1: expected a JSON object with id, file, text and seconds"):
        load_speech_clips(bad)
    bad.write_text('{"id": "a", "file": "a.wav", "text": "hi", "seconds": 1.0}\n')
    with pytest.raises(ValueError, match=r"line 1: the audio file .*a\.wav does not exist"):
        load_speech_clips(bad)


def _installed_espeak_version() -> str | None:
    if shutil.which("espeak-ng") is None:
        return None
    return pipeline.espeak_version()


def test_the_script_writes_the_committed_clips_again(tmp_path):
    version = _installed_espeak_version()
    if version is None:
        pytest.skip("espeak-ng is not installed (apt-get install -y espeak-ng): cannot synthesise the clips to compare")
    committed_card = (CLIPS_DIR / "DATA_CARD.md").read_text()
    if f"espeak-ng {version} " not in committed_card:
        pytest.skip(f"espeak-ng {version} is installed; the committed clips were made with another version (see DATA_CARD.md)")
    completed = subprocess.run(
        [pipeline.sys.executable, "-m", "domain.data.pipelines.write_speech_clips", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=CLIPS_DIR.parents[3],
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "transcripts.jsonl").read_text() == (CLIPS_DIR / "transcripts.jsonl").read_text()
    assert (tmp_path / "DATA_CARD.md").read_text() == committed_card
    for row in map(json.loads, (CLIPS_DIR / "transcripts.jsonl").read_text().splitlines()):
        again, committed = pipeline.read_wav(tmp_path / row["file"]), pipeline.read_wav(CLIPS_DIR / row["file"])
        assert len(again) == len(committed), row["file"]
        # the same synthesiser output; the resampling is floating point, so allow one step of rounding
        assert np.abs(again.astype(int) - committed.astype(int)).max() <= 1, row["file"]


def test_without_espeak_the_script_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline.shutil, "which", lambda name: None)
    assert pipeline.main(["--out", str(tmp_path)]) == 1
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("snr_db", [20.0, 10.0, 0.0])
def test_white_noise_at_the_stated_signal_to_noise_ratio(snr_db):
    clean = pipeline.read_wav(load_speech_clips()[0].path)
    noisy = pipeline.add_white_noise(clean, snr_db, seed=1)
    noise = noisy.astype(np.float64) - clean
    measured = 10 * np.log10(np.mean(clean.astype(np.float64) ** 2) / np.mean(noise**2))
    assert measured == pytest.approx(snr_db, abs=0.2)


def test_the_noise_is_seeded_the_same_every_time_and_different_per_clip(tmp_path):
    first = pipeline.write_noisy_copies(CLIPS_DIR, tmp_path / "a")
    second = pipeline.write_noisy_copies(CLIPS_DIR, tmp_path / "b")
    assert [p.name for p in first] == [c.path.name for c in load_speech_clips()]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    noise_1 = pipeline.read_wav(first[0]).astype(int) - pipeline.read_wav(CLIPS_DIR / first[0].name)
    noise_2 = pipeline.read_wav(first[1]).astype(int) - pipeline.read_wav(CLIPS_DIR / first[1].name)
    n = min(len(noise_1), len(noise_2))
    assert abs(np.corrcoef(noise_1[:n], noise_2[:n])[0, 1]) < 0.05
