"""Real triple stores for the publish tests, each on free 127.0.0.1 ports, stopped after.

* Oxigraph server: the ``oxigraph`` command of the PyPI package ``oxigraph`` (in the venv).
* OpenLink Virtuoso 7: ``virtuoso-t`` of the Debian package ``virtuoso-opensource`` (``.ci/run``
  installs it), run in the foreground from a copy of the packaged ``virtuoso.ini`` whose ports
  are bound to 127.0.0.1 and whose database lives in a temporary folder. Its isolation stays
  the packaged read committed: no setting gives Virtuoso 7.2 snapshot reads (README: repeatable
  read and serializable were measured and do not isolate readers either).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.server import free_port

VIRTUOSO_INI = (
    Path("/etc/virtuoso-opensource-7/virtuoso.ini"),
    Path("/var/lib/virtuoso-opensource-7/db/virtuoso.ini"),
)
VIRTUOSO_DB = "/var/lib/virtuoso-opensource-7/db"
#: The account a fresh Virtuoso database has; digest auth on /sparql-auth, /sparql-graph-crud-auth.
VIRTUOSO_USER = ("dba", "dba")
#: Virtuoso caps any one answer (GSP GET included) at this many rows; kept low in the tests so
#: that the dry run's paged fallback runs on a small graph (the packaged default is 10000).
VIRTUOSO_MAX_ROWS = 1000


@dataclass
class StoreServer:
    """One running server: its kind, base URL, and how to stop or restart it."""

    kind: str
    command: list[str]
    base: str
    folder: Path
    ready_path: str
    log: Path
    process: subprocess.Popen | None = None
    credentials: tuple[str, str] | None = None
    env: dict[str, str] = field(default_factory=dict)

    def start(self, timeout: float = 180) -> StoreServer:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.folder,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.kind} exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                if (
                    httpx.get(self.base + self.ready_path, timeout=2, trust_env=False).status_code
                    < 500
                ):
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.kind} did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL, as a crash or an operator would: no chance to clean up."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def oxigraph_command() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def start_oxigraph(folder: Path) -> StoreServer:
    binary = oxigraph_command()
    if binary is None:
        raise FileNotFoundError("the oxigraph command (PyPI package oxigraph) is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
    server = StoreServer(
        "oxigraph",
        command,
        f"http://127.0.0.1:{port}",
        folder,
        "/query?query=ASK%7B%7D",
        folder / "oxigraph.log",
    )
    return server.start(timeout=60)


def virtuoso_ini_template() -> Path | None:
    return next((p for p in VIRTUOSO_INI if p.is_file()), None)


def virtuoso_ini(
    template: str,
    folder: Path,
    sql_port: int,
    http_port: int,
    extra: dict[str, dict[str, str]] | None = None,
) -> str:
    """The packaged configuration, rewritten section by section (the file repeats keys, so
    configparser cannot round-trip it): ports on 127.0.0.1, database files in ``folder``."""
    settings = {
        "Parameters": {
            "ServerPort": f"127.0.0.1:{sql_port}",
            # An empty folder: no Conductor package is installed into the new database (the
            # packaged setting adds ~10 s to the first start).
            "VADInstallDir": f"{folder / 'vad'}/",
            # One thread per query: with the packaged 4 threads, on 2 busy cores, MOVE of
            # 20,000 triples took 1 to 124 s (spinning threads) and often hit the transaction
            # timeout (SR171); with 1 it took about 1 s every time.
            "ThreadsPerQuery": "1",
            "AsyncQueueMaxThreads": "1",
        },
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
        "SPARQL": {"ResultSetMaxRows": str(VIRTUOSO_MAX_ROWS)},
    }
    for section, values in (extra or {}).items():
        settings.setdefault(section, {}).update(values)
    lines: list[str] = []
    section = ""
    for line in template.replace(VIRTUOSO_DB, str(folder)).splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        key = re.match(r"\s*([A-Za-z_0-9]+)\s*=", line)
        if header:
            section = header.group(1)
            lines.append(line)
            # Ours go first in their section; the packaged lines for the same keys are dropped.
            lines += [f"{k} = {v}" for k, v in settings.get(section, {}).items()]
        elif not (key and key.group(1) in settings.get(section, {})):
            lines.append(line)
    return "\n".join(lines) + "\n"


def start_virtuoso(folder: Path, extra: dict[str, dict[str, str]] | None = None) -> StoreServer:
    binary = shutil.which("virtuoso-t")
    template = virtuoso_ini_template()
    if binary is None or template is None:
        raise FileNotFoundError(
            "virtuoso-t is not installed (Debian package virtuoso-opensource; .ci/run installs it)"
        )
    (folder / "vad").mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        virtuoso_ini(template.read_text(encoding="utf-8"), folder, sql_port, http_port, extra),
        encoding="utf-8",
    )
    server = StoreServer(
        "virtuoso",
        [binary, "+foreground", "+configfile", str(ini)],
        f"http://127.0.0.1:{http_port}",
        folder,
        "/sparql",
        folder / "virtuoso-stdout.log",
        credentials=VIRTUOSO_USER,
    )
    return server.start(timeout=240)
