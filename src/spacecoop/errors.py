"""Errors that end a command, each with the exit code the README documents.

Exit codes: 0 ok, 1 findings at or above the fail level, 2 usage/syntax/IO error,
3 unsupported feature. Raising one of these never leaves a half-written output behind:
writers stage into temporary paths and rename.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_UNSUPPORTED = 3


class SpacecoopError(Exception):
    """An expected failure with a message for the user (no traceback is shown)."""

    exit_code = EXIT_ERROR


class ConfigError(SpacecoopError):
    """The ``[tool.spacecoop]`` table or a command-line option is wrong."""


class UnsupportedFeature(SpacecoopError):
    """The input uses a feature this toolkit deliberately does not support."""

    exit_code = EXIT_UNSUPPORTED


@dataclass
class SourceError(SpacecoopError):
    """A source file cannot be read or parsed; carries the location for ``path:line:col``."""

    path: str
    line: int
    column: int
    message: str

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: error: {self.message}"
