"""spacecoop: a linked-data publishing toolkit.

The package is a library first: each pipeline stage is one module with a typed entry function
(``load``, ``validate``, ``export``, ``store``, ``queries``, ``build``); ``cli`` is a thin layer.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("spacecoop")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
