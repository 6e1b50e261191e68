"""Use case: data-parallel training with torchrun, compared with the single-process model.

The step launches ``torchrun`` (2 local processes, gloo on CPU, NCCL on GPUs),
forwards every rank's output to the log tagged with its rank, turns rank 0's
events back into workbench events, and compares the result with the latest
single-process ``digits_mlp_torch`` model in the store.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from typing import Any

from application.registry.experiment_tracking import tracked_training
from application.registry.model_probes import DIGITS_TORCH_MODEL
from infrastructure.storage.bentoml_model_store import find_model
from shared import events
from shared.configs.workbench_home import step_artifacts_dir
from shared.constants import ENV_EVENT_FD, ENV_EVENT_STDOUT
from shared.events.reporter import STDOUT_EVENT_PREFIX
from shared.utils.local_network import free_local_port


def torchrun_command(nproc: int, port: int, worker_args: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nnodes=1",
        f"--nproc-per-node={nproc}",
        "--rdzv-backend=c10d",
        f"--rdzv-endpoint=127.0.0.1:{port}",
        "-m",
        "application.training.ddp_worker",
        *worker_args,
    ]


@tracked_training
def train_ddp(
    nproc: int = 2,
    epochs: int = 15,
    batch_size: int = 32,
    learning_rate: float = 2e-3,
    hidden: int = 128,
    seed: int = 0,
) -> dict[str, Any]:
    result_path = step_artifacts_dir() / "ddp_result.json"
    result_path.unlink(missing_ok=True)
    worker_args = [
        "--epochs",
        str(epochs),
        "--batch-size",
        str(batch_size),
        "--learning-rate",
        str(learning_rate),
        "--hidden",
        str(hidden),
        "--seed",
        str(seed),
        "--result",
        str(result_path),
    ]
    command = torchrun_command(nproc, free_local_port(), worker_args)
    shown = ["torchrun", *command[3:]]
    print("$ " + shlex.join(shown))
    events.status(f"launching {nproc} processes with torchrun (global batch {batch_size * nproc})")

    env = dict(os.environ)
    env.pop(ENV_EVENT_FD, None)  # torchrun does not pass our pipe on; ranks print events to stdout instead
    env[ENV_EVENT_STDOUT] = "1"
    env.setdefault("OMP_NUM_THREADS", "1")  # one thread per rank: the ranks share the machine's cores
    env.setdefault("GLOO_SOCKET_IFNAME", "lo")  # single node: keep gloo on loopback
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, bufsize=1) as launcher:
        assert launcher.stdout is not None
        for line in launcher.stdout:
            line = line.rstrip("\n")
            if line.startswith(STDOUT_EVENT_PREFIX):
                events.emit(events.decode(line[len(STDOUT_EVENT_PREFIX) :]))
            else:
                print(line, flush=True)
        returncode = launcher.wait()
    if returncode != 0 or not result_path.exists():
        raise RuntimeError(f"torchrun exited with code {returncode} without a result; see the [rank N] lines above")
    result = json.loads(result_path.read_text())
    events.artifact("report", result_path, "DDP test accuracy, world size, backend, time")

    baseline = find_model(f"{DIGITS_TORCH_MODEL}:latest")
    single = float(baseline.metadata["test_accuracy"]) if baseline else float("nan")
    gap = abs(single - result["test_accuracy"])
    print(
        f"single process: {single:.4f} ({baseline.tag if baseline else 'no model in the store'}); "
        f"DDP with {result['world_size']} processes: {result['test_accuracy']:.4f}; gap {gap:.4f}"
    )
    events.metric("single_process_test_accuracy", single)
    return {
        "ddp_test_accuracy": result["test_accuracy"],
        "world_size": result["world_size"],
        "backend": result["backend"],
        "single_process_test_accuracy": single,
        "accuracy_gap": gap,
        "summary": f"DDP {result['test_accuracy']:.4f} on {result['world_size']} {result['backend']} ranks vs single {single:.4f}",
    }
