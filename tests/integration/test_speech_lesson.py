"""The speech-to-text lesson for real: packaged Whisper tiny.en, offline, on the committed clips, headless."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, run_cli

pytest.importorskip("faster_whisper", reason="the 'speech' extra is not installed: pip install 'mlops-workbench[speech]'")

pytestmark = pytest.mark.slow

NO_NETWORK = r"""
import sys
attempts = []
def audit(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        attempts.append((event, args))
        raise RuntimeError(f"network access attempted: {event} {args}")
sys.addaudithook(audit)
from domain.data.sources.speech_clips import load_speech_clips
from domain.models.generative.speech.audio import load_audio
from domain.models.generative.speech.transcription import transcribe
from domain.models.generative.speech.whisper_model import load_whisper
clip = load_speech_clips()[0]
print(transcribe(load_whisper(), load_audio(clip.path)).text)
print("OK", len(attempts))
"""


def test_the_packaged_whisper_loads_and_transcribes_without_any_network_call():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env["PYTHONPATH"] = str(REPO_ROOT)
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK], capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text, verdict = result.stdout.strip().splitlines()[-2:]
    assert verdict == "OK 0"
    assert "trained on the iris data set" in text.lower()


@pytest.fixture(scope="module")
def speech_run(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    result = run_cli("--lesson", "speech-to-text", "--json", home=home, timeout=900)
    return result, home


def _metric_points(lines: list[str], name: str) -> list[int]:
    return [int(m.group(1)) for line in lines if (m := re.search(rf"metric {name} = \S+ @ (\d+)$", line))]


def test_the_lesson_passes_and_reports_wer_clean_wer_noisy_and_real_time_factor(speech_run):
    result, _ = speech_run
    assert result.returncode == 0, result.stderr[-4000:]
    [lesson] = result.json()["lessons"]
    steps = {step["id"]: step for step in lesson["steps"]}
    assert list(steps) == ["transcribe", "score", "noisy", "your-file"]
    assert all(step["passed"] for step in steps.values()), [s["summary"] for s in steps.values()]
    score, noisy = steps["score"]["metrics"], steps["noisy"]["metrics"]
    assert score["wer_clean"] <= 0.15
    assert 0 < score["real_time_factor"] < 1
    assert score["wer_unnormalised"] > score["wer_clean"]  # typing differences inflate an un-normalised comparison
    assert noisy["wer_noisy"] > score["wer_clean"] + 0.1  # 10 dB of white noise costs words
    print(
        f"wer_clean {score['wer_clean']:.3f} wer_noisy {noisy['wer_noisy']:.3f} "
        f"real_time_factor {score['real_time_factor']:.3f} ({sum(s['duration_s'] for s in steps.values()):.0f} s)"
    )


def test_segments_reach_the_log_clip_by_clip_and_the_charts_get_one_point_per_clip(speech_run):
    result, _ = speech_run
    lines = [line.strip() for line in result.stderr.splitlines()]
    first_segment = [i for i, line in enumerate(lines) if line.startswith("| clip_02 [")][0]
    first_metric = [i for i, line in enumerate(lines) if re.search(r"metric clip_real_time_factor = \S+ @ 1$", line)][0]
    assert first_metric < first_segment  # clip 1 was reported before clip 2 was decoded: streamed, not at the end
    assert _metric_points(lines, "clip_real_time_factor") == list(range(1, 13))
    assert _metric_points(lines, "clip_wer") == list(range(1, 13))
    assert _metric_points(lines, "clip_wer_clean") == list(range(1, 13))
    assert _metric_points(lines, "clip_wer_noisy") == list(range(1, 13))
    assert "| clip_07 [ 0.00 →" in result.stderr and "Monitor the latency of every request." in result.stderr


def test_the_transcripts_and_the_noisy_audio_are_kept(speech_run):
    _, home = speech_run
    steps = home / "artifacts" / "speech-to-text"
    rows = json.loads((steps / "transcribe" / "transcripts.json").read_text())["clips"]
    assert len(rows) == 12 and all(row["hypothesis"] for row in rows)
    assert rows[6]["hypothesis"] == "Monitor the latency of every request."
    assert sorted(p.name for p in (steps / "noisy" / "wav").iterdir()) == [r["file"] for r in rows]
    report = json.loads((steps / "score" / "wer_report.json").read_text())
    assert len(report["clips"]) == 12 and report["wer_clean"] <= 0.15


def test_your_own_mp3_is_transcribed(cli, tmp_path):
    import av

    from domain.data.pipelines.write_speech_clips import read_wav
    from domain.data.sources.speech_clips import load_speech_clips

    clip = load_speech_clips()[11]  # "Roll back to the previous version if the error rate rises."
    mp3 = tmp_path / "my recording.mp3"
    with av.open(str(mp3), "w") as container:
        stream = container.add_stream("libmp3lame", rate=16_000, layout="mono")
        samples = read_wav(clip.path).astype("int16").reshape(1, -1)
        for start in range(0, samples.shape[1], 1152):
            frame = av.AudioFrame.from_ndarray(samples[:, start : start + 1152].copy(), format="s16", layout="mono")
            frame.sample_rate = 16_000
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    result = cli("--lesson", "speech-to-text", "--step", "your-file", "--param", f"path={mp3}")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "text: Roll back to the previous version" in result.stdout


def test_a_missing_file_fails_the_step_with_one_line_naming_it(cli, tmp_path):
    missing = tmp_path / "meeting.mp3"
    result = cli("--lesson", "speech-to-text", "--step", "your-file", "--param", f"path={missing}")
    assert result.returncode == 1
    naming = [line for line in result.stdout.splitlines() if str(missing) in line and "no such file" in line]
    assert naming, result.stdout[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    assert not Path(missing).exists()
