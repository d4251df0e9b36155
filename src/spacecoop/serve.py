"""``spacecoop serve``: the store over the SPARQL 1.1 Protocol, on 127.0.0.1 by default.

Serving never rebuilds anything: it answers from the store the last ``spacecoop build`` or
``spacecoop load`` made. The one exception is a first run, when no store exists yet: then the
configured sources are loaded into it, exactly as ``spacecoop load`` would.

Read-only unless ``--enable-update``; updates then need a bearer token read from an environment
variable (never from the command line, where other users could see it in the process list).
See :mod:`spacecoop.endpoint` for the protocol, limits and worker processes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.endpoint.app import EndpointSettings, create_app
from spacecoop.endpoint.page import examples_from
from spacecoop.errors import ConfigError, SpacecoopError

MIN_TOKEN_LENGTH = 16


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 10.0
    max_rows: int = 10_000
    max_body: int = 1_000_000
    max_concurrent: int | None = None  # None: one worker per CPU (at least 2)
    max_queue: int = 64
    enable_update: bool = False
    token_env: str | None = None
    log_level: str = "info"
    site: bool = True  # the linked-data pages (spacecoop.site) beside /sparql


def ensure_store(config: Config, progress: Callable[[str], None] | None = None) -> bool:
    """Load the configured sources into the store if there is none yet; True if it did."""
    if config.store.exists():
        return False
    from spacecoop.load import load
    from spacecoop.store import load_store

    dataset = load(config, progress=progress)
    load_store(config.store, sources=dataset.sources)
    return True


def endpoint_settings(
    config: Config, options: ServeOptions, environ: Mapping[str, str] | None = None
) -> EndpointSettings:
    """Check the options and turn them into the endpoint's settings."""
    environ = os.environ if environ is None else environ
    max_concurrent = options.max_concurrent
    if max_concurrent is None:
        max_concurrent = max(2, os.cpu_count() or 2)
    if options.timeout <= 0:
        raise ConfigError("--timeout must be a positive number of seconds")
    for name, value, low in (
        ("--max-rows", options.max_rows, 0),
        ("--max-body", options.max_body, 1),
        ("--max-concurrent", max_concurrent, 1),
        ("--max-queue", options.max_queue, 0),
    ):
        if value < low:
            raise ConfigError(f"{name} must be at least {low}")
    if not 0 <= options.port <= 65535:
        raise ConfigError("--port must be between 0 and 65535")
    token = None
    if options.enable_update:
        if not options.token_env:
            raise ConfigError(
                "--enable-update needs --token-env VAR: the name of an environment variable "
                "that holds the bearer token clients must send"
            )
        token = environ.get(options.token_env, "")
        if len(token) < MIN_TOKEN_LENGTH:
            raise ConfigError(
                f"environment variable {options.token_env} must hold a token of at least "
                f"{MIN_TOKEN_LENGTH} characters (it is {'unset' if not token else 'too short'})"
            )
    elif options.token_env:
        raise ConfigError("--token-env only applies together with --enable-update")
    return EndpointSettings(
        store=config.store,
        base_iri=config.base_iri,
        title=f"{config.name} SPARQL endpoint",
        examples=examples_from(config.queries()),
        timeout=options.timeout,
        max_rows=options.max_rows,
        max_body=options.max_body,
        max_concurrent=max_concurrent,
        max_queue=options.max_queue,
        update_token=token,
    )


def serve(
    config: Config,
    options: ServeOptions,
    progress: Callable[[str], None] | None = None,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Run the endpoint until interrupted."""
    import uvicorn

    settings = endpoint_settings(config, options)
    if ensure_store(config, progress) and announce:
        announce(f"no store yet: loaded the sources into {config.relative(config.store)}")
    try:
        target = str(config.store.resolve())
        probe = ox.Store(target) if settings.update_token else ox.Store.read_only(target)
        del probe
    except OSError as exc:
        hint = (
            " (is another `spacecoop serve --enable-update` writing it?)"
            if "lock" in str(exc).lower()
            else ""
        )
        raise SpacecoopError(f"cannot open the store at {config.store}: {exc}{hint}") from None
    site = options.site and bool(config.sources("data"))
    if site:
        from spacecoop.site.web import site_routes

        settings.routes = site_routes(config)  # every IRI under the base, mapped onto this server
    elif options.site and announce:
        announce("no data sources: serving the store without linked-data pages")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host=options.host,
            port=options.port,
            log_level=options.log_level,
            lifespan="on",
            http="h11",
            h11_max_incomplete_event_size=options.max_body + 64 * 1024,
            timeout_graceful_shutdown=5,
            server_header=False,
        )
    )
    if announce:
        shown = f"[{options.host}]" if ":" in options.host else options.host
        announce(
            f"SPARQL endpoint on http://{shown}:{options.port}/sparql "
            f"({'updates enabled with a token' if settings.update_token else 'read-only'}; "
            "open it in a browser for the query page)"
        )
        if site:
            announce(
                f"linked-data pages on http://{shown}:{options.port}/ ({config.base_iri} "
                "is mapped onto this address)"
            )
    logger = logging.getLogger("spacecoop.endpoint")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(options.log_level.upper())
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits when it cannot bind the address
        raise SpacecoopError(
            f"the server could not start on {options.host}:{options.port} (see above)"
        ) from exc
    if not server.started:
        raise SpacecoopError(f"the server could not start on {options.host}:{options.port}")
