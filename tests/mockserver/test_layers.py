"""The package's folders sit on floors, and every import points down (ARCHITECTURE.md, "Layers").

Each import of the package's own code, wherever it stands (module level, inside a function, under
TYPE_CHECKING), is read from the source with `ast`; an import from a folder to one on a higher
floor, or between two folders on the same floor, fails the test with the file and line.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = "dashscope_realtime_mock"
ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT  # mockserver/ is the package; client/ and schemas/ are installed inside it

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


def _module_of(path: Path) -> str:
    """The installed name of a source file (setup.py maps client/ and schemas/ into the package)."""
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[0] == "mockserver":
        parts = parts[1:]
    return ".".join([PACKAGE, *parts])


def _sources() -> list[Path]:
    return sorted(
        p for folder in ("mockserver", "client", "schemas") for p in (SOURCE / folder).rglob("*.py")
    )


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of the package's own code in the file."""
    module = _module_of(path)
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


def _upward_edges() -> list[str]:
    edges = []
    for path in _sources():
        here = _folder_of(_module_of(path))
        for line, target in _imports(path):
            there = _folder_of(target)
            if there == here or here == "__init__":
                continue  # within a folder; the package's __init__ names everything lazily
            if RANK[there] >= RANK[here]:
                where = path.relative_to(ROOT)
                edges.append(
                    f"{where}:{line}: {here} (floor {RANK[here]}) imports {there} (floor {RANK[there]})"
                )
    return edges


def test_every_folder_of_the_package_has_a_floor():
    """A new folder is placed on a floor before it is used (else its imports go unchecked)."""
    folders = {_folder_of(_module_of(path)) for path in _sources()}
    assert folders - set(RANK) == set()


def test_no_import_runs_up_or_sideways_between_folders():
    """Every import of our own code points to a lower floor or stays in its folder."""
    assert _upward_edges() == []


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The walk reads relative imports inside functions: protocol importing session is caught."""
    for folder in ("mockserver/protocol", "client", "schemas"):
        (tmp_path / folder).mkdir(parents=True)
    bad = "def f():\n    from ..session.base import Session\n"
    (tmp_path / "mockserver" / "protocol" / "bad.py").write_text(bad)
    monkeypatch.setattr(sys.modules[__name__], "SOURCE", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _upward_edges() == [
        "mockserver/protocol/bad.py:2: protocol (floor 1) imports session (floor 4)"
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
