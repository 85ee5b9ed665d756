"""A throwaway redis-server on 127.0.0.1, for the tests and the bench (Debian's ``redis-server``)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def redis_server_binary() -> str | None:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    return binary if Path(binary).exists() else None


def start_local_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    """A redis-server on a free port, keeping nothing on disk; returns it and its URL once it answers."""
    with socket.socket() as probe:  # a port free now; redis-server takes it a moment later
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [redis_server_binary() or "redis-server", "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}"
