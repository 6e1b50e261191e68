"""HTTP to a service on this machine with the standard library: POST JSON, ask /readyz.

Used by every step and screen that calls a served model (the BentoML lesson,
monitoring, the serving screen, the container in docker-build), so errors
read the same everywhere: an HTTP error is a status and its body, no answer at
all is status 0 and the reason.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any


def post(url: str, body: bytes, timeout: float = 10) -> tuple[int, Any, float]:
    """(HTTP status, the JSON answer or its text, milliseconds); status 0 when nothing answered."""
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"}, method="POST")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        return 0, f"no answer: {exc}", (time.perf_counter() - start) * 1000
    elapsed_ms = (time.perf_counter() - start) * 1000
    try:
        return status, json.loads(raw), elapsed_ms
    except json.JSONDecodeError:
        return status, raw.decode(errors="replace"), elapsed_ms


def is_ready(base_url: str, timeout_s: float = 2.0) -> bool:
    """True when the service answers 200 on /readyz (nothing listening, or not ready yet: False)."""
    try:
        with urllib.request.urlopen(base_url + "/readyz", timeout=timeout_s) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
