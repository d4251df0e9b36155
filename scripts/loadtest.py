"""Bounded load test of the SPARQL endpoint on loopback.

N concurrent clients (default 50) send the project's competency questions (``queries/*.rq``)
to ``/sparql`` for T seconds (default 20), each client cycling through the questions from a
different starting point. Prints requests/s, p50/p99 latency and the error count, overall and
per question, as a table or with ``--json``. Exits 1 if any request failed.

Without ``--url`` it starts ``spacecoop serve`` for the project on a free 127.0.0.1 port and
stops it afterwards; ``--url`` must point at a loopback address (this is a load generator: it
refuses to aim at other hosts).

    python scripts/loadtest.py                      # 50 clients x 20 s against a fresh server
    python scripts/loadtest.py --clients 5 --duration 3 --json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from spacecoop.config import load_config


@dataclass
class Sample:
    query: str
    seconds: float
    ok: bool
    error: str | None = None


@dataclass
class Summary:
    clients: int
    duration: float
    requests: int
    errors: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    per_query: list[dict] = field(default_factory=list)
    first_errors: list[str] = field(default_factory=list)
    server: str = ""


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Connection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams.

    The load generator runs on the same machine as the server; a full-featured client costs
    several times the server's own CPU per request and would measure itself. This one only
    writes a request and reads the status, headers and body (Content-Length or chunked).
    """

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.authority = parts.netloc
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def post(self, body: bytes, content_type: str, accept: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.authority}\r\n"
            f"Content-Type: {content_type}\r\nAccept: {accept}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode("latin-1") + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            payload = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            while (await self.reader.readline()) not in (b"\r\n", b""):
                pass
            payload = b"".join(chunks)
        else:
            payload = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, payload


async def client(
    endpoint: str, queries: list[tuple[str, str]], start: int, end: float
) -> list[Sample]:
    samples = []
    index = start
    connection = Connection(endpoint)
    accept = "application/sparql-results+json, text/turtle;q=0.9"
    try:
        while time.monotonic() < end:
            name, text = queries[index % len(queries)]
            index += 1
            began = time.perf_counter()
            try:
                status, payload = await connection.post(
                    text.encode("utf-8"), "application/sparql-query", accept
                )
                ok = status == 200
                error = None if ok else f"{name}: HTTP {status}: {payload[:200]!r}"
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
                ok, error = False, f"{name}: {type(exc).__name__}: {exc}"
                await connection.close()
            samples.append(Sample(name, time.perf_counter() - began, ok, error))
    finally:
        await connection.close()
    return samples


async def run_load(
    endpoint: str, queries: list[tuple[str, str]], clients: int, duration: float
) -> Summary:
    began = time.monotonic()
    end = began + duration
    batches = await asyncio.gather(*(client(endpoint, queries, i, end) for i in range(clients)))
    elapsed = time.monotonic() - began
    samples = [s for batch in batches for s in batch]
    latencies = [s.seconds * 1000 for s in samples]
    per_query = []
    for name, _text in queries:
        mine = [s for s in samples if s.query == name]
        times = [s.seconds * 1000 for s in mine]
        per_query.append(
            {
                "query": name,
                "requests": len(mine),
                "errors": sum(not s.ok for s in mine),
                "p50_ms": round(percentile(times, 50), 2),
                "p99_ms": round(percentile(times, 99), 2),
            }
        )
    errors = [s.error for s in samples if not s.ok]
    return Summary(
        clients=clients,
        duration=round(elapsed, 2),
        requests=len(samples),
        errors=len(errors),
        requests_per_second=round(len(samples) / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(percentile(latencies, 50), 2),
        p99_ms=round(percentile(latencies, 99), 2),
        max_ms=round(max(latencies, default=0.0), 2),
        per_query=per_query,
        first_errors=[e for e in errors if e][:5],
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(project: Path, extra: list[str]) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="loadtest-serve-", suffix=".log")[1])
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
                *extra,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CI": "true"},
        )
    endpoint = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"spacecoop serve exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(endpoint, timeout=2, trust_env=False).status_code == 200:
                return process, endpoint, log
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("spacecoop serve did not start within 120 s")


def print_table(summary: Summary) -> None:
    print(f"endpoint  {summary.server}")
    print(f"clients   {summary.clients}   duration {summary.duration} s")
    print()
    header = f"{'':<28}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}"
    print(header)
    print("-" * len(header))
    print(
        f"{'all questions':<28}{summary.requests:>10}{summary.requests_per_second:>10}"
        f"{summary.p50_ms:>10}{summary.p99_ms:>10}{summary.errors:>8}"
    )
    for row in summary.per_query:
        rate = round(row["requests"] / summary.duration, 1) if summary.duration else 0
        print(
            f"{row['query'][:27]:<28}{row['requests']:>10}{rate:>10}"
            f"{row['p50_ms']:>10}{row['p99_ms']:>10}{row['errors']:>8}"
        )
    for error in summary.first_errors:
        print("error:", error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=None, help="project root")
    parser.add_argument("--url", help="an already running loopback endpoint (…/sparql)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.add_argument(
        "--serve-option",
        action="append",
        default=[],
        metavar="OPT",
        help="extra option for the server this script starts (repeatable), e.g. "
        "--serve-option=--max-concurrent=2",
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0:
        parser.error("--clients must be >= 1 and --duration > 0")
    config = load_config(args.project)
    queries = [(p.stem, p.read_text(encoding="utf-8")) for p in config.queries()]
    if not queries:
        parser.error(f"no competency questions found under {config.root}")
    process = None
    if args.url:
        if not is_loopback(args.url):
            parser.error("--url must be a loopback address (127.0.0.1, ::1 or localhost)")
        endpoint = args.url
    else:
        process, endpoint, log = start_server(config.root, args.serve_option)
    try:
        summary = asyncio.run(run_load(endpoint, queries, args.clients, args.duration))
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
            log.unlink(missing_ok=True)
    summary.server = endpoint
    if args.json:
        print(json.dumps(vars(summary), indent=2))
    else:
        print_table(summary)
    return 1 if summary.errors else 0


if __name__ == "__main__":
    sys.exit(main())
