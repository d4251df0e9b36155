"""Start the real ``spacecoop serve`` (uvicorn in a subprocess) on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log: Path

    @property
    def endpoint(self) -> str:
        return self.base + "/sparql"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def children(self) -> set[int]:
        """Process ids of the server's children (its query workers)."""
        found: set[int] = set()
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            try:
                found.update(int(p) for p in (task / "children").read_text().split())
            except OSError:
                continue
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> Server:
    """``spacecoop serve`` for ``project``; returns once ``GET /sparql`` answers."""
    port = free_port()
    log = project.parent / f"serve-{project.name}-{port}.log"
    environment = {**os.environ, "CI": "true", "NO_COLOR": "1", **(env or {})}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "spacecoop",
                "--project",
                str(project),
                "serve",
                "--port",
                str(port),
                *args,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"spacecoop serve exited with {process.returncode}:\n{server.output()}"
            )
        try:
            if httpx.get(server.endpoint, timeout=2, trust_env=False).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"spacecoop serve did not answer within {timeout} s:\n{server.output()}")
