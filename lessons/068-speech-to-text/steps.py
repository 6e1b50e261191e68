"""The speech-to-text lesson's steps: Whisper tiny.en transcribes the bundled clips, clean and noisy, then your file.

The layer code lives in ``domain/models/generative/speech/`` (model, audio,
transcription, normalisation, scoring) and ``domain/data/`` (the clips, the
noise). Each step loads the model itself (every step is its own process);
``score`` and ``noisy`` read what ``transcribe`` wrote, and transcribe the
clean clips again when it has not run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from domain.data.pipelines.write_speech_clips import (
    NOISE_SEED,
    NOISE_SNR_DB,
    add_white_noise,
    noisy_seed,
    read_wav,
    wav_bytes,
    write_bytes_atomic,
)
from domain.data.sources.speech_clips import CLIPS_DIR, SpeechClip, load_speech_clips
from domain.models.generative.speech.audio import AudioError, from_int16, load_audio, seconds
from domain.models.generative.speech.normalise import normalise
from domain.models.generative.speech.scoring import word_error_rate, word_errors
from domain.models.generative.speech.transcription import Segment, Transcript, transcribe
from domain.models.generative.speech.whisper_model import MODEL_NAME, load_whisper, model_dir
from shared import events
from shared.configs.repository import REPO_ROOT
from shared.configs.workbench_home import artifacts_dir, step_artifacts_dir
from shared.utils.atomic_files import write_json_atomic

LESSON = "speech-to-text"
TRANSCRIPTS = "transcripts.json"


def _load_model():
    events.status(f"loading Whisper {MODEL_NAME} from {model_dir()} (CTranslate2, int8, CPU, offline)")
    started = time.perf_counter()
    model = load_whisper()
    load_seconds = time.perf_counter() - started
    events.log(f"model loaded in {load_seconds:.1f} s (not counted in the real-time factor)")
    return model, load_seconds


def _streamed(label: str):
    """A callback that shows each segment the moment the decoder finishes it."""

    def show(segment: Segment) -> None:
        events.log(f"{label} [{segment.start:5.2f} → {segment.end:5.2f} s] {segment.text}")

    return show


def _per_clip_speed(number: int, _clip: SpeechClip, transcript: Transcript) -> None:
    events.metric("clip_real_time_factor", transcript.real_time_factor, step=number)


def _transcribe_clips(
    model, clips: list[SpeechClip], samples_of, label: str, beam_size: int, after=_per_clip_speed
) -> list[Transcript]:
    """Each clip in turn: its segments go to the log as decoded, then ``after`` reports on it (one chart point)."""
    transcripts = []
    for number, clip in enumerate(clips, 1):
        samples = samples_of(number, clip)
        events.status(f"{label} {clip.id} ({seconds(samples):.1f} s of audio)")
        transcript = transcribe(model, samples, on_segment=_streamed(clip.id), beam_size=beam_size)
        transcripts.append(transcript)
        after(number, clip, transcript)
        events.progress(number, len(clips), f"{label} clips")
    return transcripts


def _rows(clips: list[SpeechClip], transcripts: list[Transcript]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "file": c.path.name,
            "reference": c.text,
            "hypothesis": t.text,
            "audio_seconds": round(t.audio_seconds, 3),
            "processing_seconds": round(t.processing_seconds, 4),
        }
        for c, t in zip(clips, transcripts, strict=True)
    ]


def transcribe_clips(beam_size: int = 5) -> dict[str, Any]:
    """Transcribe every bundled clip; segments go to the log as they are decoded, one metric point per clip."""
    clips = load_speech_clips()
    events.log(f"{len(clips)} clips in {CLIPS_DIR} (16 kHz mono WAV, made with espeak-ng; see DATA_CARD.md there)")
    model, load_seconds = _load_model()
    transcripts = _transcribe_clips(model, clips, lambda _n, clip: load_audio(clip.path), "transcribing", beam_size)
    path = write_json_atomic(
        step_artifacts_dir() / TRANSCRIPTS, {"model": MODEL_NAME, "beam_size": beam_size, "clips": _rows(clips, transcripts)}
    )
    events.artifact("report", path, "reference and Whisper's text per clip, with timings")
    audio = sum(t.audio_seconds for t in transcripts)
    processing = sum(t.processing_seconds for t in transcripts)
    events.log(f"{len(clips)} clips, {audio:.1f} s of audio transcribed in {processing:.1f} s")
    return {
        "clips_transcribed": len(transcripts),
        "audio_seconds": round(audio, 2),
        "load_seconds": round(load_seconds, 2),
        "summary": f"{len(transcripts)} clips, {audio:.1f} s of audio in {processing:.1f} s",
    }


def _clean_rows() -> list[dict[str, Any]]:
    """What the 'transcribe' step wrote; transcribed here when that step has not run (or ran on other clips)."""
    path = artifacts_dir(LESSON, "transcribe") / TRANSCRIPTS
    clips = load_speech_clips()
    if path.is_file():
        rows = json.loads(path.read_text(encoding="utf-8")).get("clips", [])
        if [(r["id"], r["reference"]) for r in rows] == [(c.id, c.text) for c in clips]:
            events.log(f"clean transcripts from the step 'transcribe': {path}")
            return rows
    events.log(f"no transcripts from the step 'transcribe' at {path}: transcribing the clean clips first")
    model, _ = _load_model()
    transcripts = _transcribe_clips(model, clips, lambda _n, clip: load_audio(clip.path), "transcribing", 5)
    return _rows(clips, transcripts)


def score() -> dict[str, Any]:
    """Word error rate overall and per clip (after normalisation, and without it), and the real-time factor."""
    rows = _clean_rows()
    references = [r["reference"] for r in rows]
    hypotheses = [r["hypothesis"] for r in rows]
    events.log("per clip: WER after normalisation (the words both sides compare) — errors shown")
    for number, row in enumerate(rows, 1):
        clip_wer = word_error_rate(row["reference"], row["hypothesis"])
        row["wer"] = round(clip_wer, 4)
        events.metric("clip_wer", clip_wer, step=number)
        events.log(f"{row['id']}  WER {clip_wer:.2f}  {normalise(row['hypothesis'])}")
        if clip_wer > 0:
            events.log(f"{'':9}reference  {normalise(row['reference'])}")
    normalised = word_errors(references, hypotheses)
    raw = word_errors(references, hypotheses, normaliser=None)
    audio = sum(r["audio_seconds"] for r in rows)
    processing = sum(r["processing_seconds"] for r in rows)
    rtf = processing / audio
    events.log(f"without normalisation: {raw.describe()}")
    events.log(f"with normalisation:    {normalised.describe()}")
    events.log(
        f"real-time factor {rtf:.3f} = {processing:.2f} s processing / {audio:.1f} s of audio "
        f"(a minute of audio takes {60 * rtf:.0f} s)"
    )
    events.metric("wer_clean", normalised.wer)
    events.metric("wer_unnormalised", raw.wer)
    events.metric("real_time_factor", rtf)
    path = write_json_atomic(
        step_artifacts_dir() / "wer_report.json",
        {
            "wer_clean": normalised.wer,
            "wer_unnormalised": raw.wer,
            "real_time_factor": rtf,
            "errors": normalised.__dict__,
            "clips": rows,
        },
    )
    events.artifact("report", path, "WER per clip with both texts, overall WER and real-time factor")
    return {
        "wer_clean": normalised.wer,
        "wer_unnormalised": raw.wer,
        "real_time_factor": rtf,
        "summary": f"WER {normalised.wer:.3f} ({raw.wer:.3f} without normalisation), real-time factor {rtf:.3f}",
    }


def compare_noisy(snr_db: float = NOISE_SNR_DB, seed: int = NOISE_SEED, beam_size: int = 5) -> dict[str, Any]:
    """Add white noise to every clip, transcribe the noisy copies, and chart clean vs noisy WER per clip."""
    rows = _clean_rows()
    clips = load_speech_clips()
    out = step_artifacts_dir() / "wav"
    events.log(
        f"noisy copies: Gaussian white noise at {snr_db:g} dB SNR (noise power = {10 ** (-snr_db / 10):.3g} × "
        f"the clip's signal power), seed {seed} + clip number, written to {out}"
    )

    def noisy_samples(number: int, clip: SpeechClip):
        noisy = add_white_noise(read_wav(clip.path), snr_db, noisy_seed(number, seed))
        write_bytes_atomic(out / clip.path.name, wav_bytes(noisy))
        return from_int16(noisy)

    def compare(number: int, clip: SpeechClip, transcript: Transcript) -> None:
        clean_wer = word_error_rate(clip.text, rows[number - 1]["hypothesis"])
        noisy_wer = word_error_rate(clip.text, transcript.text)
        events.metric("clip_wer_clean", clean_wer, step=number)
        events.metric("clip_wer_noisy", noisy_wer, step=number)
        events.log(f"{clip.id}  WER clean {clean_wer:.2f} → noisy {noisy_wer:.2f}")

    model, _ = _load_model()
    transcripts = _transcribe_clips(model, clips, noisy_samples, "transcribing noisy", beam_size, after=compare)
    events.artifact("audio", out, f"the {len(clips)} noisy WAV files: listen to what Whisper heard")
    references = [r["reference"] for r in rows]
    clean = word_errors(references, [r["hypothesis"] for r in rows])
    noisy = word_errors(references, [t.text for t in transcripts])
    events.log(f"clean: {clean.describe()}")
    events.log(f"noisy: {noisy.describe()}")
    events.metric("wer_noisy", noisy.wer)
    path = write_json_atomic(
        step_artifacts_dir() / "noisy_transcripts.json",
        {"snr_db": snr_db, "seed": seed, "wer_clean": clean.wer, "wer_noisy": noisy.wer, "clips": _rows(clips, transcripts)},
    )
    events.artifact("report", path, "Whisper's text per noisy clip")
    return {
        "wer_noisy": noisy.wer,
        "noisy_clips_transcribed": len(transcripts),
        "snr_db": snr_db,
        "summary": f"WER {clean.wer:.3f} clean → {noisy.wer:.3f} with noise at {snr_db:g} dB SNR",
    }


def transcribe_file(path: str = "domain/data/sources/speech_clips/clip_07.wav", beam_size: int = 5) -> dict[str, Any]:
    """Transcribe your own audio file (WAV, MP3, FLAC, ...; a relative path starts at the repository root)."""
    file = Path(path).expanduser()
    if not file.is_absolute():
        file = next((base / file for base in (Path.cwd(), REPO_ROOT) if (base / file).exists()), Path.cwd() / file)
    try:
        samples = load_audio(file)
    except AudioError as exc:
        raise events.StepError(f"{exc} — pass another with --param path=/full/path/to/audio.wav") from None
    events.log(f"{file}: {seconds(samples):.1f} s of audio, decoded by PyAV to 16 kHz mono")
    model, _ = _load_model()
    duration = seconds(samples)

    def show(segment: Segment) -> None:
        events.log(f"[{segment.start:6.2f} → {segment.end:6.2f} s] {segment.text}")
        events.progress(min(segment.end, duration), duration, "seconds of audio decoded")

    events.status(f"transcribing {file.name}")
    transcript = transcribe(model, samples, on_segment=show, beam_size=beam_size)
    events.log(f"text: {transcript.text}")
    events.log(
        f"real-time factor {transcript.real_time_factor:.3f} ({transcript.processing_seconds:.2f} s for "
        f"{duration:.1f} s of audio)"
    )
    outputs: dict[str, Any] = {
        "words": len(transcript.text.split()),
        "segments": len(transcript.segments),
        "audio_seconds": round(duration, 2),
        "file_real_time_factor": transcript.real_time_factor,
    }
    bundled = {clip.path.resolve(): clip for clip in load_speech_clips()}.get(file.resolve())
    if bundled is not None:
        outputs["file_wer"] = word_error_rate(bundled.text, transcript.text)
        events.log(f"a bundled clip: reference “{bundled.text}”, WER {outputs['file_wer']:.2f}")
    path_out = write_json_atomic(
        step_artifacts_dir() / "your_file.json",
        {"file": str(file), "text": transcript.text, "segments": [s.__dict__ for s in transcript.segments]},
    )
    events.artifact("report", path_out, "your file's transcript with segment times")
    outputs["summary"] = f"{outputs['words']} words from {duration:.1f} s of {file.name}"
    return outputs
