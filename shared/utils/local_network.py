"""Ports on 127.0.0.1: find a free one for a service, and tell when nothing listens any more."""

from __future__ import annotations

import socket
import time


def free_local_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nothing_listens(port: int, within_s: float = 5.0) -> bool:
    """True once a connection to the port is refused (TIME_WAIT leftovers of our own requests do not count)."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
