"""Helpers of the site tests: the two-language fixture project, web servers, HTML checks."""

from __future__ import annotations

import functools
import http.server
import itertools
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import html5lib
import httpx

from tests.conftest import FIXTURES, run_cli
from tests.support.server import free_port


def site_project(target: Path, build: bool = True) -> Path:
    """The mini fixture with the site fixture over it (languages en and zh, partner map)."""
    shutil.copytree(
        FIXTURES / "miniproject", target, ignore=shutil.ignore_patterns("dist", ".spacecoop")
    )
    shutil.copytree(FIXTURES / "site", target, dirs_exist_ok=True)
    if build:
        result = run_cli("build", cwd=target)
        assert result.returncode == 0, result.stdout + result.stderr
    return target


# ---------------------------------------------------------------------------- web servers


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


@dataclass
class Nginx:
    process: subprocess.Popen
    base: str
    prefix: Path

    def error_log(self) -> str:
        log = self.prefix / "error.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_nginx(site: Path, prefix: Path) -> Nginx:
    """nginx in the foreground on a free loopback port, with a temporary prefix and config
    that include the site's generated rules (maps.conf, locations.conf) unchanged."""
    binary = nginx_binary()
    assert binary is not None
    port = free_port()
    prefix.mkdir(parents=True, exist_ok=True)
    temp = prefix / "temp"
    temp.mkdir(exist_ok=True)
    config = prefix / "nginx.conf"
    # As root, the workers would run as "nobody" and could not read a private temporary folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    config.write_text(
        f"""daemon off;
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp};
    proxy_temp_path {temp};
    fastcgi_temp_path {temp};
    uwsgi_temp_path {temp};
    scgi_temp_path {temp};
    include {site}/nginx/maps.conf;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        include {site}/nginx/locations.conf;
    }}
}}
""",
        encoding="utf-8",
    )
    tested = subprocess.run(
        [binary, "-t", "-q", "-c", str(config), "-p", str(prefix)], capture_output=True, text=True
    )
    assert tested.returncode == 0, tested.stderr
    process = subprocess.Popen(
        [binary, "-c", str(config), "-p", str(prefix)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Nginx(process, f"http://127.0.0.1:{port}/", prefix)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {server.error_log()}")
        try:
            httpx.get(server.base, timeout=2, trust_env=False)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("nginx did not answer")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def static_files(root: Path) -> Iterator[str]:
    """Python's file server for ``root`` (no rewrite rules) on a free loopback port."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------------------- HTML checks


def html_problems(text: str, lang: str | None = None) -> list[str]:
    """Why a page fails the checks: strict HTML5 parse, lang, heading order, link labels."""
    problems: list[str] = []
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        document = parser.parse(text)
    except html5lib.html5parser.ParseError as exc:
        return [f"not valid HTML5: {exc}"]
    page_lang = document.get("lang")
    if not page_lang:
        problems.append("<html> has no lang attribute")
    elif lang is not None and page_lang != lang:
        problems.append(f"<html lang={page_lang!r}>, expected {lang!r}")
    levels = [int(e.tag[1]) for e in document.iter() if e.tag in ("h1", "h2", "h3", "h4", "h5")]
    if levels[:1] != [1] or levels.count(1) != 1:
        problems.append(f"expected exactly one h1, first: {levels[:3]}")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            problems.append(f"heading level jumps from h{before} to h{after}")
    for anchor in document.iter("a"):
        label = "".join(anchor.itertext()).strip()
        href = anchor.get("href", "")
        if not label:
            problems.append(f"link to {href} has no text")
        elif anchor.get("rel") not in ("external", "license") and label.startswith(
            ("http://", "https://")
        ):
            problems.append(f"link to {href} shows a raw IRI: {label}")
    return problems


APACHE_MODULES = (
    "mpm_event",
    "authz_core",
    "rewrite",
    "negotiation",
    "headers",
    "mime",
    "dir",
    "setenvif",
)


def apache_binary() -> str | None:
    found = shutil.which("apache2") or shutil.which("httpd")
    return found or next((p for p in ("/usr/sbin/apache2",) if Path(p).exists()), None)


@dataclass
class Apache:
    process: subprocess.Popen
    base: str
    prefix: Path

    def error_log(self) -> str:
        log = self.prefix / "error.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_apache(site: Path, prefix: Path) -> Apache:
    """Debian's Apache in the foreground on a free loopback port with a minimal config that
    lets the site's generated .htaccess (and type maps) do everything."""
    binary = apache_binary()
    assert binary is not None
    modules = Path("/usr/lib/apache2/modules")
    port = free_port()
    prefix.mkdir(parents=True, exist_ok=True)
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    config = prefix / "httpd.conf"
    config.write_text(
        "".join(f"LoadModule {m}_module {modules}/mod_{m}.so\n" for m in APACHE_MODULES)
        + f"""ServerRoot {prefix}
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
PidFile {prefix}/httpd.pid
ErrorLog {prefix}/error.log
LogLevel warn
{user}TypesConfig /etc/mime.types
DocumentRoot {site}
<Directory {site}>
    AllowOverride All
    Require all granted
</Directory>
""",
        encoding="utf-8",
    )
    tested = subprocess.run([binary, "-t", "-f", str(config)], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    process = subprocess.Popen(
        [binary, "-DFOREGROUND", "-f", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Apache(process, f"http://127.0.0.1:{port}/", prefix)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"apache exited: {server.error_log()}")
        try:
            httpx.get(server.base, timeout=2, trust_env=False)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("apache did not answer")
