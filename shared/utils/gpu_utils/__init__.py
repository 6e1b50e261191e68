"""GPU health: NVML probes, framework checks, verdicts with remediation, sanity benchmarks.

nvml_probe      NVML through nvidia-ml-py (``pynvml``): light, safe in the UI process
host_probe      CPU, memory, container and environment facts (standard library only)
framework_probe torch / TensorFlow view of the GPU (heavy: child processes only)
verdicts        ok / warn / fail / info, each with why and what to do
gpu_report      the whole report; ``python -m shared.utils.gpu_utils.gpu_report`` prints it as JSON
gpu_benchmarks  matmul TFLOP/s, memory and host<->device bandwidth vs published peaks (GPU only)
"""
