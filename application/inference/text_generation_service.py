"""The text-generation service: BentoML 1.4 streaming the tiny GPT's tokens as they are sampled.

    bentoml serve application.inference.text_generation_service:TextGenerationService --host 127.0.0.1 --port 3000
    curl -N -X POST http://127.0.0.1:3000/generate_stream -H 'content-type: application/json' \\
         -d '{"prompt": "The model", "max_new_tokens": 40}'

``generate_stream`` is a generator, so BentoML answers with Server-Sent Events
(``text/event-stream``): one ``data: {...}`` event per token, sent the moment
it is sampled, then ``data: [DONE]``. A client shows text while the rest is
still being computed — the time to the first token is what a user feels.
``generate`` returns the whole text at once, for comparison. Parameters are
typed and bounded, so a bad request gets HTTP 400 with the reason.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import Annotated, Any

import bentoml
from pydantic import Field

from application.training.gpt_training import MODEL_NAME
from domain.models.generative.gpt.checkpoint import load_checkpoint
from domain.models.generative.gpt.sampling import encode_prompt, generate_ids, text_pieces

DONE = "[DONE]"

Prompt = Annotated[str, Field(min_length=1, max_length=500)]
NewTokens = Annotated[int, Field(ge=1, le=256)]
Temperature = Annotated[float, Field(ge=0.0, le=5.0)]
TopK = Annotated[int, Field(ge=0, le=10_000)]


def _model_tag() -> str:
    """GPT_MODEL_TAG if set, else the newest mlops_gpt in the model store."""
    return os.environ.get("GPT_MODEL_TAG") or MODEL_NAME


def sse(data: dict[str, Any] | str) -> str:
    """One Server-Sent Event carrying ``data`` (JSON unless it is the end marker)."""
    return f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"


@bentoml.service(name="text_generation_service", traffic={"timeout": 120}, workers=1)
class TextGenerationService:
    model_ref = bentoml.models.BentoModel(_model_tag())

    def __init__(self) -> None:
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.model, self.tokenizer, self.record = load_checkpoint(Path(self.model_ref.path), device)
        list(self._pieces("The", 1, 0.0, 0, 0))  # warm up (first forward pass) before /readyz says ready

    def _pieces(self, prompt: str, max_new_tokens: int, temperature: float, top_k: int, seed: int):
        ids = generate_ids(self.model, encode_prompt(self.tokenizer, prompt), max_new_tokens, temperature, top_k, seed)
        return text_pieces(self.tokenizer, ids)

    @bentoml.api
    def generate_stream(
        self,
        prompt: Prompt = "The model",
        max_new_tokens: NewTokens = 40,
        temperature: Temperature = 0.8,
        top_k: TopK = 40,
        seed: int = 0,
    ) -> Generator[str, None, None]:
        """One event per sampled token: {"index", "token_id", "text"}; then [DONE]."""
        for index, (token, piece) in enumerate(self._pieces(prompt, max_new_tokens, temperature, top_k, seed)):
            yield sse({"index": index, "token_id": token, "text": piece})
        yield sse(DONE)

    @bentoml.api
    def generate(
        self,
        prompt: Prompt = "The model",
        max_new_tokens: NewTokens = 40,
        temperature: Temperature = 0.8,
        top_k: TopK = 40,
        seed: int = 0,
    ) -> dict[str, Any]:
        """The whole continuation at once: {"text", "tokens", "model"}."""
        pieces = list(self._pieces(prompt, max_new_tokens, temperature, top_k, seed))
        return {"text": prompt + "".join(piece for _, piece in pieces), "tokens": len(pieces), "model": str(self.model_ref.tag)}
