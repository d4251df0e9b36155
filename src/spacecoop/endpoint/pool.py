"""A pool of worker processes with a deadline that really stops a query.

Each request borrows one worker (the pool size is the bound on concurrent queries), writes its
request, and reads frames until the answer ends or the deadline passes. At the deadline the
worker is killed — the only way to stop pyoxigraph mid-evaluation — and a fresh one is started
in the background. Requests that find every worker busy wait in a bounded queue; beyond it, or
after waiting as long as a query may run, they are turned away (the caller answers 503).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("spacecoop.endpoint")


class Busy(Exception):
    """Every worker is busy and the waiting queue is full (or the wait took too long)."""


class WorkerFailed(Exception):
    """The worker process died or broke the frame protocol."""


class WorkerStartError(Exception):
    """A worker could not open the store."""


@dataclass
class Frame:
    kind: bytes
    payload: bytes

    def json(self) -> Any:
        return json.loads(self.payload)


class WorkerProcess:
    """One ``python -m spacecoop.endpoint.worker`` child and its frame channel."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.pid = process.pid

    @classmethod
    async def spawn(cls, store: Path, mode: str, start_timeout: float = 60.0) -> WorkerProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "spacecoop.endpoint.worker",
            str(store),
            mode,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        worker = cls(process)
        try:
            frame = await worker.frame(asyncio.get_running_loop().time() + start_timeout)
        except (TimeoutError, WorkerFailed) as exc:
            worker.kill()
            raise WorkerStartError(f"a query worker did not start: {exc}") from None
        if frame.kind != b"R":
            worker.kill()
            message = frame.json().get("message") if frame.kind == b"E" else frame.kind
            raise WorkerStartError(str(message))
        return worker

    async def send(self, request: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
        try:
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise WorkerFailed(f"worker {self.pid} is gone: {exc}") from None

    async def frame(self, deadline: float) -> Frame:
        """The next frame; ``TimeoutError`` at the deadline (loop time)."""
        assert self.process.stdout is not None
        async with asyncio.timeout_at(deadline):
            try:
                head = await self.process.stdout.readexactly(5)
                payload = await self.process.stdout.readexactly(int.from_bytes(head[1:], "big"))
            except asyncio.IncompleteReadError:
                code = self.process.returncode
                raise WorkerFailed(f"worker {self.pid} exited (code {code})") from None
        return Frame(head[:1], payload)

    def kill(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    async def stop(self) -> None:
        """Kill and reap. Reading stdout to its end matters: asyncio reports the exit only once
        every pipe is closed, and a worker killed mid-result left a paused, unread pipe."""
        self.kill()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                if self.process.stdout is not None:
                    while await self.process.stdout.read(1 << 16):
                        pass
                await self.process.wait()


class WorkerPool:
    """``size`` workers on one store; at most ``max_queue`` requests wait for one."""

    def __init__(self, store: Path, mode: str, size: int, max_queue: int):
        self.store = store
        self.mode = mode
        self.size = size
        self.max_queue = max_queue
        self.idle: asyncio.Queue[WorkerProcess] = asyncio.Queue()
        self.waiting = 0
        self.workers: set[WorkerProcess] = set()
        self.replacements: set[asyncio.Task[None]] = set()
        self.closed = False

    async def start(self) -> None:
        started = await asyncio.gather(
            *(WorkerProcess.spawn(self.store, self.mode) for _ in range(self.size)),
            return_exceptions=True,
        )
        errors = [s for s in started if isinstance(s, BaseException)]
        for worker in started:
            if isinstance(worker, WorkerProcess):
                self.workers.add(worker)
                self.idle.put_nowait(worker)
        if errors:
            await self.stop()
            raise errors[0]

    @property
    def _role(self) -> str:
        return "update" if self.mode == "rw" else "query"

    @property
    def pids(self) -> list[int]:
        return sorted(w.pid for w in self.workers)

    async def acquire(self, wait: float) -> WorkerProcess:
        """An idle worker, waiting at most ``wait`` seconds in a bounded queue."""
        if not self.idle.empty():
            return self.idle.get_nowait()
        if self.waiting >= self.max_queue:
            raise Busy(
                f"all {self.size} query workers are busy and {self.waiting} requests are waiting"
            )
        self.waiting += 1
        try:
            return await asyncio.wait_for(self.idle.get(), wait)
        except TimeoutError:
            raise Busy(f"no worker became free within {wait:g} s") from None
        finally:
            self.waiting -= 1

    def release(self, worker: WorkerProcess, healthy: bool = True) -> None:
        """Give a worker back; one in an unknown state is killed and replaced."""
        if healthy and worker.process.returncode is None and not self.closed:
            self.idle.put_nowait(worker)
            return
        worker.kill()
        self.workers.discard(worker)
        if not self.closed:
            task = asyncio.create_task(self._replace(worker))
            self.replacements.add(task)
            task.add_done_callback(self.replacements.discard)

    async def _replace(self, old: WorkerProcess) -> None:
        await old.stop()
        delay = 0.5
        while not self.closed:
            try:
                worker = await WorkerProcess.spawn(self.store, self.mode)
            except WorkerStartError as exc:
                log.error("cannot replace %s worker %s: %s (retrying)", self._role, old.pid, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            if self.closed:
                await worker.stop()
                return
            self.workers.add(worker)
            self.idle.put_nowait(worker)
            log.info("%s worker %s replaced by %s", self._role, old.pid, worker.pid)
            return

    async def stop(self) -> None:
        self.closed = True
        for task in list(self.replacements):
            task.cancel()
        await asyncio.gather(*(w.stop() for w in list(self.workers)), return_exceptions=True)
        self.workers.clear()
