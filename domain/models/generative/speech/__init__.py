"""Speech to text with Whisper tiny.en (faster-whisper on CTranslate2), loaded from its PyPI package — offline.

Modules:

- whisper_model   where the packaged model lives; load it (CPU, int8)
- audio           any WAV/MP3/FLAC file -> 16 kHz mono samples (PyAV), with one clear error when it cannot
- transcription   samples -> segments, streamed as they are decoded, timed for the real-time factor
- normalise       text -> the words a word error rate should compare (case, punctuation, numbers)
- scoring         word error rate (jiwer) overall and per clip, and the real-time factor
"""
