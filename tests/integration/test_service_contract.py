"""The served iris service keeps its contract under any input (issue 16).

One real `bentoml serve` of ``application.inference.iris_service:IrisService`` on
127.0.0.1, serving a model trained and validated by the lessons in a temporary
home, is checked from outside: schemathesis against its own OpenAPI document,
malformed bodies of every kind, the row limit on every endpoint, and bad
requests fired together with 30+ good ones so the adaptive batcher merges them.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from application.inference.iris_requests import GOOD_ROWS, SERVICE
from application.inference.request_contract import ERROR_SCHEMA, MAX_BODY_BYTES, MAX_ROWS
from domain.data.sources.iris_source import CLASS_NAMES
from infrastructure.deployment.local_server import LocalServer
from shared.configs.workbench_home import bentoml_home
from shared.utils.local_http import post
from shared.utils.local_network import free_local_port, nothing_listens

pytestmark = pytest.mark.slow
ENDPOINTS = ("/classify", "/predict_proba")
SPECIES = list(GOOD_ROWS)
SCHEMATHESIS_SEED = 16
SCHEMATHESIS_EXAMPLES = 30  # per operation; the acceptance run used 250 (see the figures)


@dataclass
class Served:
    url: str
    log: list[str]  # the server's output lines


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, validated_model_home):
    """The iris service on a free 127.0.0.1 port, serving the session's trained and validated model; stopped afterwards."""
    home = tmp_path_factory.mktemp("home")
    shutil.copytree(validated_model_home, home, dirs_exist_ok=True)
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WORKBENCH_HOME", str(home))
        env.setenv("BENTOML_HOME", str(bentoml_home(home)))
        env.setenv("BENTOML_DO_NOT_TRACK", "True")
        env.delenv("IRIS_MODEL_TAG", raising=False)
        server = LocalServer(SERVICE, free_local_port(), on_line=lines.append)
        try:
            server.start(timeout_s=120)
            yield Served(server.url, lines)
        finally:
            server.stop()
    assert nothing_listens(server.port)


def send(url: str, body: bytes | dict | list, content_type: str | None = "application/json") -> tuple[int, object]:
    """POST ``body`` (JSON-encoded unless bytes) with exactly this Content-Type (None: no such header at all)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    host_port, path = url.removeprefix("http://").split("/", 1)
    connection = http.client.HTTPConnection(host_port, timeout=30)
    try:
        connection.request("POST", "/" + path, body=data, headers={"content-type": content_type} if content_type else {})
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except json.JSONDecodeError:
        return response.status, raw.decode(errors="replace")


def assert_refused(status: int, answer: object, field: str, *words: str, code: int = 400) -> None:
    """The one error object: HTTP ``code``, the schema the OpenAPI document states, the field named, the words in the message."""
    assert status == code, (status, answer)
    jsonschema.validate(answer, ERROR_SCHEMA)
    assert answer["field"] == field, answer
    for word in words:
        assert word in answer["error"], (word, answer)


def species_of(endpoint: str, answer: list) -> list[str]:
    if endpoint == "/classify":
        return [row["class"] for row in answer]
    return [CLASS_NAMES[max(range(len(row)), key=row.__getitem__)] for row in answer]


# -- shape: exactly 4 finite numbers per row, nothing reshaped or coerced ------------------------------------------

SHAPE_CASES = {
    "one row of 8 values (was read as two rows)": (
        {"features": [[5.1, 3.5, 1.4, 0.2, 7.0, 3.2, 4.7, 1.4]]},
        "features[0]",
        "8 values",
    ),
    "a 2x2 array (was read as one row)": ({"features": [[5.1, 3.5], [1.4, 0.2]]}, "features[0]", "2 values"),
    "a 1-D array of 4 numbers": ({"features": [5.1, 3.5, 1.4, 0.2]}, "features[0]", "is a number"),
    "a 3-D array": ({"features": [[[5.1, 3.5, 1.4, 0.2]]]}, "features[0]", "1 value "),
    "the third row short": (
        {"features": [GOOD_ROWS["setosa"], GOOD_ROWS["virginica"], [5.1, 3.5, 1.4]]},
        "features[2]",
        "3 values",
    ),
    "a number as text": ({"features": [[5.1, "3.5", 1.4, 0.2]]}, "features[0][1] (sepal_width_cm)", "a string"),
    "a boolean": ({"features": [[5.1, 3.5, True, 0.2]]}, "features[0][2] (petal_length_cm)", "a boolean"),
    "null": ({"features": [[5.1, 3.5, 1.4, None]]}, "features[0][3] (petal_width_cm)", "null"),
    "NaN": (b'{"features": [[5.1, NaN, 1.4, 0.2]]}', "features[0][1] (sepal_width_cm)", "NaN"),
    "Infinity": (b'{"features": [[Infinity, 3.5, 1.4, 0.2]]}', "features[0][0] (sepal_length_cm)", "Infinity"),
    "beyond float32": ({"features": [[1e39, 3.5, 1.4, 0.2]]}, "features[0][0] (sepal_length_cm)", "1e+39"),
    # BentoML 1.4.40 answered these four with HTTP 500:
    "features is an object": ({"features": {}}, "features", "an object"),
    "the body is a list of objects": ([{}], "body", "an array"),
    "the body is a nested list": ([[{}]], "body", "an array"),
    "a row of objects": ({"features": [[{}, {}, {}, {}]]}, "features[0][0] (sepal_length_cm)", "an object"),
    "no features key": ({"rows": [[5.1, 3.5, 1.4, 0.2]]}, "features", 'no "features" key'),
    "an unknown key beside features": ({"features": [GOOD_ROWS["setosa"]], "debug": True}, "debug", "unknown key"),
    "not JSON": (b"features=5.1,3.5", "body", "not valid JSON"),
    "not UTF-8": (b'{"features": [[5.1, 3.5, 1.4, 0.2]]}\xff', "body", "not UTF-8"),
    "nested too deeply for the parser": (b'{"features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "body", "nested too deeply"),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("case", list(SHAPE_CASES))
def test_a_malformed_body_gets_400_with_the_error_object_naming_the_field(service, endpoint, case):
    body, field, words = SHAPE_CASES[case]
    status, answer = send(service.url + endpoint, body)
    assert_refused(status, answer, field, words)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_content_types_other_than_json_are_refused_with_400_not_500(service, endpoint):
    good = json.dumps({"features": [GOOD_ROWS["setosa"]]}).encode()
    for content_type in (
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/json; charset=latin-1",
    ):
        status, answer = send(service.url + endpoint, good, content_type)
        assert_refused(status, answer, "Content-Type", "not accepted")
    status, answer = send(service.url + endpoint, good, content_type=None)  # no header: read as JSON, like BentoML does
    assert status == 200 and species_of(endpoint, answer) == ["setosa"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_row_limit_holds_on_every_endpoint(service, endpoint):
    url = service.url + endpoint
    assert_refused(*send(url, {"features": []}), "features", "0 rows")
    status, answer = send(url, {"features": [GOOD_ROWS["virginica"]] * MAX_ROWS})
    assert status == 200 and species_of(endpoint, answer) == ["virginica"] * MAX_ROWS  # split by the batcher, answered whole
    assert_refused(*send(url, {"features": [GOOD_ROWS["virginica"]] * (MAX_ROWS + 1)}), "features", "1001 rows")
    assert_refused(*send(url, {"features": [GOOD_ROWS["virginica"]] * 5000}), "features", "5000 rows")
    padded = b'{"features": [[5.1, 3.5, 1.4, 0.2]]' + b" " * MAX_BODY_BYTES + b"}"
    assert_refused(*send(url, padded), "body", "bytes", code=413)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_good_rows_get_the_right_species(service, endpoint):
    status, answer = send(service.url + endpoint, {"features": list(GOOD_ROWS.values())})
    assert status == 200, answer
    assert species_of(endpoint, answer) == SPECIES
    if endpoint == "/predict_proba":
        assert all(len(row) == len(CLASS_NAMES) and abs(sum(row) - 1) < 1e-6 for row in answer)
    else:
        assert all(set(row["probabilities"]) == set(CLASS_NAMES) for row in answer)


# -- one bad request can only fail itself -------------------------------------------------------------------------

BAD_IN_THE_MIX = [
    b'{"features": [[5.1, NaN, 1.4, 0.2]]}',
    json.dumps({"features": []}).encode(),
    json.dumps({"features": [[5.1, 3.5, 1.4, 0.2, 7.0, 3.2, 4.7, 1.4]]}).encode(),
    json.dumps({"features": [["long", "wide", "short", "thin"]]}).encode(),
    json.dumps({"features": [[5.1, 3.5, 1.4, 0.2]] * 1001}).encode(),
    json.dumps({"features": {}}).encode(),
    json.dumps([{}]).encode(),
    json.dumps({"features": [[True, 3.5, 1.4, 0.2]]}).encode(),
]


def batch_sizes(url: str) -> tuple[float, float]:
    """(requests merged, model calls) of predict_proba so far, from the service's own adaptive-batch histogram."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    found = {
        kind: float(value)
        for kind, value in re.findall(
            r'^bentoml_service_adaptive_batch_size_(sum|count)\{[^}]*method_name="predict_proba"[^}]*\} (\S+)$', text, re.M
        )
    }
    return found.get("sum", 0.0), found.get("count", 0.0)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_bad_requests_mixed_into_32_simultaneous_good_ones_fail_only_themselves(service, endpoint):
    url = service.url + endpoint
    good = [(SPECIES[i % 3], 1 + i % 2) for i in range(32)]  # (species, rows in the request)
    jobs = [("good", json.dumps({"features": [GOOD_ROWS[s]] * n}).encode(), (s, n)) for s, n in good]
    jobs += [("bad", body, None) for body in BAD_IN_THE_MIX]
    merged_before, calls_before = batch_sizes(service.url)
    outcomes: Counter[str] = Counter()
    for round_no in range(3):
        order = jobs[round_no::3] + [
            job for i, job in enumerate(jobs) if i % 3 != round_no
        ]  # bad ones at other places each round
        start = threading.Barrier(len(order))

        def one(job, start=start):
            start.wait()
            return job, post(url, job[1], timeout=30)

        with ThreadPoolExecutor(len(order)) as pool:
            for (kind, _, expected), (status, answer, _) in pool.map(one, order):
                if kind == "good":
                    species, rows = expected
                    assert status == 200, (status, answer)
                    assert species_of(endpoint, answer) == [species] * rows
                else:
                    assert status == 400, (status, answer)
                    jsonschema.validate(answer, ERROR_SCHEMA)
                outcomes[f"{kind} {status}"] += 1
    assert outcomes == {"good 200": 3 * 32, "bad 400": 3 * len(BAD_IN_THE_MIX)}
    if endpoint == "/predict_proba":  # the good requests really were merged by the adaptive batcher
        merged, calls = batch_sizes(service.url)
        assert merged - merged_before == 3 * 32
        assert calls - calls_before < merged - merged_before, "no batch held more than one request"


# -- the OpenAPI document states the contract, and schemathesis finds nothing it breaks -----------------------------


def test_the_openapi_document_states_the_contract(service):
    with urllib.request.urlopen(service.url + "/docs.json", timeout=10) as response:
        spec = json.loads(response.read())
    request = spec["components"]["schemas"]["IrisRequest"]
    features = request["properties"]["features"]
    assert (features["minItems"], features["maxItems"]) == (1, MAX_ROWS)
    assert (features["items"]["minItems"], features["items"]["maxItems"]) == (4, 4)
    assert request["additionalProperties"] is False
    for endpoint in ENDPOINTS:
        operation = spec["paths"][endpoint]["post"]
        assert operation["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/IrisRequest"}
        for code in ("400", "413"):
            assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/IrisRequestError"
            }


def test_schemathesis_checks_all_finds_no_server_error_and_no_schema_mismatch(service, tmp_path):
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        service.url + "/docs.json",
        "--checks",
        "all",
        "--max-examples",
        str(SCHEMATHESIS_EXAMPLES),
        "--seed",
        str(SCHEMATHESIS_SEED),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "har",
        "--report-dir",
        str(tmp_path),
    ]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "No issues found" in done.stdout
    (har,) = tmp_path.glob("har-*.json")
    entries = json.loads(har.read_text())["log"]["entries"]
    statuses = Counter(entry["response"]["status"] for entry in entries)
    assert not [code for code in statuses if code >= 500], statuses
    per_operation = Counter(
        entry["request"]["url"].split("?")[0].removeprefix(service.url)
        for entry in entries
        if entry["request"]["method"] == "POST"
    )
    for endpoint in ENDPOINTS:
        assert per_operation[endpoint] >= SCHEMATHESIS_EXAMPLES, per_operation
    assert statuses[200] > 0 and statuses[400] > 0, statuses  # it sent both valid and invalid bodies
    assert not [line for line in service.log if "Traceback" in line], "the server logged a traceback"
