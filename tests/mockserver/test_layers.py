"""The package's folders sit on floors, and every import points down (ARCHITECTURE.md, "Layers").

Each import of the package's own code, wherever it stands (module level, inside a function, under
TYPE_CHECKING), is read from the source with `ast`; an import from a folder to one on a higher
floor, or between two folders on the same floor, fails the test with the file and line.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.package_walk import PACKAGE, package_sources

# Bottom to top. A folder imports only folders on lower floors (and itself).
FLOORS: tuple[tuple[str, ...], ...] = (
    ("_version", "schemas"),  # the version; the wire events' schemas and their catalogue
    ("protocol",),  # facts: errors and wording, ids, specs, behaviours, rules, checks, limits
    ("media",),  # signal code
    ("answers", "responses"),  # what is said, and a response's events
    ("session",),  # one connection's protocol, no I/O
    ("families",),
    ("replay",),
    ("transport",),
    ("inspector",),
    ("testing", "client", "generated_docs"),  # the test server, the reference client, docs
    ("pytest_plugin", "cli"),
    ("__main__", "__init__"),
)
RANK = {folder: floor for floor, folders in enumerate(FLOORS) for folder in folders}


def _folder_of(module: str) -> str:
    """The top folder (or top-level module) of the package that `module` names."""
    rest = module.removeprefix(PACKAGE).lstrip(".")
    return rest.split(".")[0] if rest else "__init__"


def _imports(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of the package's own code in `module`'s source."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == PACKAGE:  # `from .. import x`: x is the folder
                found += [(node.lineno, f"{PACKAGE}.{alias.name}") for alias in node.names]
            elif target.startswith(PACKAGE):
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith(PACKAGE)]
    return found


def _upward_edges(sources: Mapping[str, Path]) -> list[str]:
    """`module:line: …` for each import among `sources` (module → file) that points up or sideways."""
    edges = []
    for module, path in sources.items():
        here = _folder_of(module)
        for line, target in _imports(module, path):
            there = _folder_of(target)
            if there == here or here == "__init__":
                continue  # within a folder; the package's __init__ names everything lazily
            if RANK[there] >= RANK[here]:
                edges.append(
                    f"{module}:{line}: {here} (floor {RANK[here]}) imports {there} (floor {RANK[there]})"
                )
    return edges


def test_every_folder_of_the_package_has_a_floor():
    """A new folder is placed on a floor before it is used (else its imports go unchecked)."""
    assert {_folder_of(module) for module in package_sources()} - set(RANK) == set()


def test_no_import_runs_up_or_sideways_between_folders():
    """Every import of our own code points to a lower floor or stays in its folder."""
    assert _upward_edges(package_sources()) == []


def test_the_checker_sees_an_upward_import(tmp_path):
    """The walk reads relative imports inside functions: protocol importing session is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from ..session.base import Session\n")
    assert _upward_edges({f"{PACKAGE}.protocol.bad": bad}) == [
        f"{PACKAGE}.protocol.bad:2: protocol (floor 1) imports session (floor 4)"
    ]


@pytest.mark.parametrize("module", [PACKAGE, f"{PACKAGE}.protocol.wording", f"{PACKAGE}.client"])
def test_importing_the_package_does_not_load_the_web_server(module):
    """`import dashscope_realtime_mock` (or a leaf module, or the client) leaves aiohttp.web unloaded."""
    import subprocess

    code = f"import sys, {module}; print('aiohttp.web' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_client_loads_only_the_protocol_floor():
    """Importing the reference client loads none of the server: only protocol facts and itself."""
    import subprocess

    code = "import sys, dashscope_realtime_mock.client; print(*sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    ours = {_folder_of(m) for m in out.stdout.split() if m.startswith(PACKAGE)}
    assert ours == {"__init__", "_version", "client", "protocol"}
