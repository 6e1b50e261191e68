"""ASGI middleware: the iris service's request contract, checked per request before BentoML sees the body.

Why at the ASGI boundary and not in the API functions (BentoML 1.4.40):

* BentoML parses and validates the body itself before the API function runs,
  and some malformed bodies escape its validator as a 500 — ``{"features": {}}``,
  ``[{}]``, ``[[{}]]`` (a ``TypeError`` in its pydantic model), and
  ``Content-Type: multipart/form-data`` with no boundary.
* Its refusals come in two shapes: ``[{"error": ...}]`` (an ``InvalidArgument``
  raised by the service is wrapped in a list) and pydantic's
  ``{"error": ..., "detail": [...]}``.
* A batchable API sees the *merged* batch, already split into chunks of
  ``max_batch_size``: a check there judges other clients' rows too (one NaN
  failed the 31 good requests batched with it) and cannot see a request's own
  row count.

So each POST to an API route is read here (at most ``MAX_BODY_BYTES``, else
413), checked by ``request_contract.parse_request`` and either refused with
the one error object (400) or passed on as canonical JSON of the rows that were
checked — BentoML's parser and the adaptive batcher only ever get valid
requests, and a bad request can only fail itself.

``GET /docs.json`` is passed through and amended: BentoML generates the
OpenAPI document from the Python signature with fixed error responses and has
no hook for them, so the request schema (1-1,000 rows of exactly 4 numbers),
the error object (400/413) and the exact answer schemas are written in here.
Revisit both when BentoML is upgraded past 1.4.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from application.inference.request_contract import (
    ERROR_SCHEMA,
    MAX_BODY_BYTES,
    REQUEST_SCHEMA,
    ContractViolation,
    check_content_type,
    parse_request,
    too_large,
)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DRAIN_LIMIT_BYTES = 64 * MAX_BODY_BYTES  # an oversized body is read and dropped up to here so the client gets its 413
REF = "#/components/schemas/{}"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _answer(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _Body:
    """A request body read from ASGI ``receive`` with a size cap; what is left of a refused one can be drained."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.complete = False

    async def read(self, limit: int) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while not self.complete:
            message = await self.receive()
            if message["type"] != "http.request":
                self.complete = True
                return None
            chunk = message.get("body", b"")
            self.complete = not message.get("more_body", False)
            size += len(chunk)
            if size > limit:
                raise too_large(None)
            chunks.append(chunk)
        return b"".join(chunks)

    async def drain(self, limit: int) -> None:
        """Read and drop the rest (up to ``limit`` bytes), so the client is not cut off before it reads the answer."""
        drained = 0
        while not self.complete and drained < limit:
            message = await self.receive()
            drained += len(message.get("body", b""))
            self.complete = message["type"] != "http.request" or not message.get("more_body", False)


class RequestContractMiddleware:
    """Checks POSTs to ``routes``; amends the OpenAPI document at ``docs_path`` with the contract and ``answers``."""

    def __init__(self, app: ASGIApp, answers: Mapping[str, dict[str, Any]], docs_path: str = "/docs.json") -> None:
        self.app = app
        self.answers = dict(answers)  # route -> JSON schema of its 200 answer
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in self.answers and scope["method"] == "POST":
            await self._checked(scope, receive, send)
        elif scope["type"] == "http" and scope["path"] == self.docs_path and scope["method"] == "GET":
            await self._amended_docs(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = _Body(receive)
        try:
            check_content_type(_header(scope, b"content-type"))
            declared = _header(scope, b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                raise too_large(int(declared))
            raw = await body.read(MAX_BODY_BYTES)
            if raw is None:
                return  # the client went away
            rows = parse_request(raw)
        except ContractViolation as violation:
            await body.drain(DRAIN_LIMIT_BYTES)
            await _answer(send, violation.status, violation.body())
            return
        canonical = json.dumps({"features": rows}).encode()  # exactly what was checked, whatever JSON dialect came in
        headers = [
            (k, v) for k, v in scope["headers"] if k.lower() not in (b"content-length", b"content-type", b"transfer-encoding")
        ]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(canonical)).encode())]
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": canonical, "more_body": False}
            return await receive()

        await self.app({**scope, "headers": headers}, replay, send)

    async def _amended_docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if start.get("status") == 200:
            body = json.dumps(self.amend(json.loads(body))).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send(
            {
                "type": "http.response.start",
                "status": start.get("status", 500),
                "headers": headers + [(b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def amend(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The OpenAPI document with the contract: request schema, the 200 answers, the error object for 400 and 413."""
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas[REQUEST_SCHEMA["title"]] = REQUEST_SCHEMA
        schemas[ERROR_SCHEMA["title"]] = ERROR_SCHEMA
        refused = {"application/json": {"schema": {"$ref": REF.format(ERROR_SCHEMA["title"])}}}
        for route, answer in self.answers.items():
            operation = spec.get("paths", {}).get(route, {}).get("post")
            if operation is None:
                continue
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": REF.format(REQUEST_SCHEMA["title"])}}},
            }
            responses = operation.setdefault("responses", {})
            responses.pop("404", None)  # BentoML lists it for every API; an existing route never answers it
            responses["200"] = {
                "description": "one answer per row, in the order sent",
                "content": {"application/json": {"schema": answer}},
            }
            responses["400"] = {
                "description": "the request breaks the contract: the field, what was expected, what came",
                "content": refused,
            }
            responses["413"] = {"description": f"the body is over {MAX_BODY_BYTES} bytes", "content": refused}
            server_error = responses.get("500", {}).get("content")
            if server_error:
                responses["503"] = {
                    "description": "the service is overloaded (the batcher's latency budget ran out); retry later",
                    "content": server_error,
                }
        return spec


def contract_routes(apis: Iterable[Any], answers: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Route -> answer schema for each of the service's APIs (by API name), failing loudly if one is missing."""
    routes = {}
    for api in apis:
        if api.name not in answers:
            raise KeyError(f"no answer schema for the API {api.name!r}: add it to the request contract")
        routes[api.route] = answers[api.name]
    return routes
