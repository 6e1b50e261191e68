"""The gpt-from-scratch lesson's steps: tokenizer, training, store, samples, and a streaming service.

The layer code it runs: the corpus (``domain/data/sources/mlops_corpus``), the
model, its training and sampling (``domain/models/generative/gpt/``), the use
cases (``application/training/gpt_training.py``), the streaming service
(``application/inference/text_generation_service.py``) and the local server
adapter (``infrastructure/deployment/local_server.py``). The last step is
written out here: it is a client, timing tokens as they arrive.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from typing import Any

from application.training.gpt_training import generate, store, tokenize, train
from infrastructure.deployment.local_server import LocalServer
from shared import events
from shared.utils.local_http import post
from shared.utils.local_network import free_local_port, nothing_listens

SERVICE = "application.inference.text_generation_service:TextGenerationService"

__all__ = ["tokenize", "train", "store", "generate", "serve_and_stream"]


def stream_events(port: int, path: str, body: dict[str, Any], timeout_s: float = 60.0) -> Iterator[tuple[float, str]]:
    """(milliseconds since the request was sent, data) for each Server-Sent Event, as it arrives."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        started = time.perf_counter()
        connection.request("POST", path, json.dumps(body), {"content-type": "application/json"})
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"POST {path} -> HTTP {response.status}: {response.read()[:300]!r}")
        while True:
            line = response.readline()
            if not line:
                return
            if line.startswith(b"data: "):
                yield (time.perf_counter() - started) * 1000, line[len(b"data: ") :].decode().strip()
    finally:
        connection.close()


def serve_and_stream(
    prompt: str = "The model",
    max_new_tokens: int = 64,
    temperature: float = 0.8,
    top_k: int = 40,
    seed: int = 0,
    startup_timeout_s: float = 90.0,
) -> dict[str, Any]:
    """Serve the stored model on 127.0.0.1, stream a generation, time the first and the last token; stop it."""
    port = free_local_port()
    server = LocalServer(SERVICE, port)
    body = {"prompt": prompt, "max_new_tokens": max_new_tokens, "temperature": temperature, "top_k": top_k, "seed": seed}
    arrivals: list[float] = []
    text = ""
    events.status("starting the text-generation service")
    try:
        ready_s = server.start(startup_timeout_s)
        events.log(f"ready after {ready_s:.1f} s at {server.url}")
        events.artifact("service", server.url, "BentoML text-generation service on localhost (stopped at the end of the step)")
        events.log(f"$ curl -N -X POST {server.url}/generate_stream -H 'content-type: application/json' -d '{json.dumps(body)}'")
        events.status("streaming tokens")
        for ms, data in stream_events(port, "/generate_stream", body):
            if data == "[DONE]":
                break
            token = json.loads(data)
            arrivals.append(ms)
            text += token["text"]
            if len(arrivals) <= 5 or len(arrivals) == max_new_tokens:
                events.log(f"  token {token['index'] + 1:>3} at {ms:7.1f} ms: {token['text']!r}")
            elif len(arrivals) == 6:
                events.log("  ...")
            events.progress(len(arrivals), max_new_tokens, "tokens")
        events.log(f"streamed text: “{prompt}{text}”".replace("\n", " ⏎ "))
        status, answer, whole_ms = post(server.url + "/generate", json.dumps(body).encode(), timeout=60)
        events.log(
            f"POST /generate (everything in one answer) -> {status} after {whole_ms:.1f} ms; "
            f"same text as the stream: {status == 200 and answer.get('text') == prompt + text}"
        )
    finally:
        events.status("stopping the service")
        server.stop()
    free = nothing_listens(port)
    events.log(f"server stopped; port {port} free again: {free}")
    if not arrivals:
        raise RuntimeError("the stream delivered no tokens")
    first_ms, last_ms = arrivals[0], arrivals[-1]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    per_token_ms = sum(gaps) / len(gaps) if gaps else 0.0
    results = {
        "first_token_ms": first_ms,
        "last_token_ms": last_ms,
        "first_token_share": first_ms / last_ms,
        "ms_per_token": per_token_ms,
        "whole_response_ms": whole_ms,
        "tokens_received": len(arrivals),
        "tokens_missing": max_new_tokens - len(arrivals),
    }
    for name, value in results.items():
        events.metric(name, value)
    events.log(
        f"first token after {first_ms:.1f} ms, last ({len(arrivals)}) after {last_ms:.1f} ms, "
        f"{per_token_ms:.1f} ms per token in between: a streaming client shows text after "
        f"{first_ms / last_ms:.0%} of the wait"
    )
    return {**results, "port_free_after_stop": free}
