"""Run mypy over the package, the tests, the benchmarks and the scripts, under the names they are imported by.

`make lint` calls this. setup.py installs `mockserver/` as `dashscope_realtime_mock` and `client/`,
`schemas/` inside it; pointed at the folders, mypy would call them `mockserver`, `client` and
`schemas`. So each file goes to mypy with its module name spelled out: the package's from setup.py's
`FOLDERS`, the tests' as `tests.…` (pytest imports them from the repository root), and the
benchmarks' and scripts' as the top-level modules they are when run (`bench/` and `scripts/` are
first on `sys.path` then; `bench_inspector` imports `bench_sessions` that way).

The settings (strict, and what the tests are spared) are `[tool.mypy]` in pyproject.toml.
Prints what mypy prints; exits 1 when it finds errors.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from mypy import build
from mypy.errors import CompileError
from mypy.main import process_options
from mypy.modulefinder import BuildSource

ROOT = Path(__file__).resolve().parent.parent
TESTS = "tests"
SCRIPT_FOLDERS = ("bench", "scripts")


def installed_folders() -> dict[str, str]:
    """setup.py's `FOLDERS` (package name → folder), read without running setup()."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    wanted = {"PACKAGE", "FOLDERS"}
    body: list[ast.stmt] = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id in wanted for target in node.targets)
    ]
    namespace: dict[str, object] = {"__builtins__": {}}
    exec(compile(ast.Module(body=body, type_ignores=[]), "setup.py", "exec"), namespace)
    folders = namespace["FOLDERS"]
    assert isinstance(folders, dict), "setup.py no longer defines FOLDERS as a dict"
    return {str(name): str(folder) for name, folder in folders.items()}


def package_sources(package: str, folder: Path) -> Iterator[BuildSource]:
    """Every module under `folder`, named as a submodule of `package`."""
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield BuildSource(str(path), ".".join([package, *parts]))


def sources() -> list[BuildSource]:
    """The package's, the tests', the benchmarks' and the scripts' modules."""
    found: list[BuildSource] = []
    for package, folder in installed_folders().items():
        found += package_sources(package, ROOT / folder)
    found += package_sources(TESTS, ROOT / TESTS)
    for folder in SCRIPT_FOLDERS:
        found += (
            BuildSource(str(path), path.stem) for path in sorted((ROOT / folder).glob("*.py"))
        )
    return found


def main() -> int:
    os.chdir(ROOT)  # mypy names files, and keeps its cache, relative to the working directory
    # `-c pass` only satisfies the parser, which wants a target: the files are sources()'.
    _, options = process_options(["--config-file", str(ROOT / "pyproject.toml"), "-c", "pass"])
    checked = sources()
    try:
        messages = build.build(checked, options).errors
    except CompileError as blocking:
        messages = blocking.messages
    for line in messages:
        print(line)
    errors = [line for line in messages if ": error:" in line]
    if errors:
        files = {line.split(":", 1)[0] for line in errors}
        print(
            f"Found {len(errors)} error{'s' * (len(errors) != 1)} in {len(files)} "
            f"file{'s' * (len(files) != 1)} (checked {len(checked)} source files)"
        )
        return 1
    print(f"Success: no issues found in {len(checked)} source files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
