"""Every module of the installed package, by the name users import it under, and its source file.

setup.py installs `mockserver/` as `dashscope_realtime_mock` with `client/` and `schemas/`
inside it, so the walk starts from the installed packages (their `__path__`), never from the
folder names: the tests that read the whole package (its layers, its exceptions) see what a
user imports.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import dashscope_realtime_mock
from dashscope_realtime_mock import client as client_package
from dashscope_realtime_mock import schemas as schemas_package

__all__ = ["PACKAGE", "package_sources"]

PACKAGE = dashscope_realtime_mock.__name__
# The package and the two folders setup.py maps into it (an editable install does not put
# them on the package's own __path__, so each is walked from its own).
_ROOTS = (dashscope_realtime_mock, client_package, schemas_package)


def package_sources() -> dict[str, Path]:
    """Module name → source file, for every module of the package, in name order."""
    found: dict[str, Path] = {}
    for package in _ROOTS:
        names = [package.__name__]
        names += [i.name for i in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
        for name in names:
            spec = importlib.util.find_spec(name)
            assert spec is not None and spec.origin is not None, name
            found[name] = Path(spec.origin)
    return dict(sorted(found.items()))
