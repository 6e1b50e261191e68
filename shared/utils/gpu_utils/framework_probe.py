"""What PyTorch and TensorFlow see of the GPU. Imports the frameworks: run in a child process only."""

from __future__ import annotations

import os
from typing import Any


def torch_report(run_matmul: bool = True) -> dict[str, Any]:
    try:
        import torch
    except ImportError:
        return {"installed": False}
    report: dict[str, Any] = {
        "installed": True,
        "version": str(torch.__version__),
        "cuda_build": torch.version.cuda,  # None for a CPU-only wheel
        "cpu_threads": torch.get_num_threads(),
    }
    try:
        report["cuda_available"] = torch.cuda.is_available()
        report["device_count"] = torch.cuda.device_count()
        report["arch_list"] = torch.cuda.get_arch_list() if torch.version.cuda else []
        report["cudnn"] = torch.backends.cudnn.version() if report["cuda_available"] else None
        report["devices"] = [
            {
                "index": i,
                "name": torch.cuda.get_device_name(i),
                "capability": "{}.{}".format(*torch.cuda.get_device_capability(i)),
            }
            for i in range(report["device_count"])
        ]
        if report["cuda_available"]:
            report["current_device"] = torch.cuda.current_device()
            if run_matmul:
                a = torch.randn(1024, 1024, device="cuda")
                product = a @ a
                torch.cuda.synchronize()
                report["matmul_ok"] = bool(torch.isfinite(product).all().item())
    except Exception as exc:  # e.g. "CUDA driver version is insufficient for CUDA runtime version"
        report["error"] = f"{type(exc).__name__}: {exc}"
    return report


def tensorflow_report() -> dict[str, Any]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow as tf
    except ImportError:
        return {"installed": False}
    info = dict(tf.sysconfig.get_build_info())
    return {
        "installed": True,
        "version": str(tf.__version__),
        "cuda_build": bool(info.get("is_cuda_build")),
        "build_cuda_version": info.get("cuda_version"),
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
    }
