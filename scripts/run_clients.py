"""Run every published third-party client in thirdparty/ against the mock, at its default model.

A client lives in `thirdparty/<client-name>/`: `requirements.txt` (pinned pip requirements) and
`harness.py`, run as ``python harness.py --url ws://127.0.0.1:PORT/api-ws/v1/realtime --api-key
KEY [--model ID]``; it drives one session through the client's own WebSocket code and exits 0
with one summary line, or 1 with the reason. For each client this script makes (or reuses) a
venv in `.venv-clients/<client-name>`, installs the requirements, starts the mock on a free port
with the bundled fixtures and runs the harness without --model, so the client uses its default.

A Node.js client instead has `package.json`, `package-lock.json` (pinned by `npm install`) and
`harness.mjs`, run as ``node harness.mjs`` with the same arguments; its `node_modules` is
installed with `npm ci` in `.venv-clients/<client-name>`, next to a copy of the harness (so that
Node resolves the client's package from there), and reused while the lock file is unchanged.

A client may need a newer Python than this one: the venv is made with the first interpreter pip
can install the requirements into, trying this one, then the newer CPythons on PATH or under
pyenv. Run: `make clients` or `python scripts/run_clients.py [NAME ...]`; exits 1 if any client
fails (or none is found).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# ruff: noqa: E402

from dashscope_realtime_mock.testing import MockServer
from dashscope_realtime_mock.transport.options import ServerOptions

THIRDPARTY = ROOT / "thirdparty"
VENVS = ROOT / ".venv-clients"
API_KEY = "mock-key"
HARNESS_TIMEOUT_S = 300
INSTALL_TIMEOUT_S = 900


def _is_node(client: Path) -> bool:
    """A Node.js client: package.json, package-lock.json and harness.mjs."""
    return all((client / n).is_file() for n in ("package.json", "package-lock.json", "harness.mjs"))


def clients(names: list[str]) -> list[Path]:
    """The client folders (each with requirements.txt and harness.py, or a Node.js client), by
    name."""
    found = sorted(
        d
        for d in THIRDPARTY.iterdir()
        if ((d / "requirements.txt").is_file() and (d / "harness.py").is_file()) or _is_node(d)
    )
    unknown = set(names) - {d.name for d in found}
    if unknown:
        raise SystemExit(f"run_clients: no such client: {', '.join(sorted(unknown))}")
    return [d for d in found if not names or d.name in names]


def _version(python: str) -> tuple[int, ...] | None:
    """The (major, minor) of an interpreter that runs, else None (a pyenv shim may not)."""
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return tuple(int(p) for p in out.stdout.split()) if out.returncode == 0 else None


def interpreters() -> list[str]:
    """This interpreter, then newer CPython 3 interpreters found, newest first."""
    found: dict[str, tuple[int, ...]] = {}
    candidates = [shutil.which(f"python3.{minor}") for minor in range(20, 8, -1)]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        candidates += [str(p) for p in Path(root, "versions").glob("3.*/bin/python3")]
    for python in filter(None, candidates):
        version = _version(python)
        if version is not None and version > sys.version_info[:2]:
            found.setdefault(str(Path(python).resolve()), version)
    newer = sorted(found, key=lambda p: found[p], reverse=True)
    return [sys.executable, *newer]


def venv_for(client: Path) -> Path:
    """The client's venv with its requirements installed; reused while they are unchanged."""
    venv = VENVS / client.name
    python = venv / "bin" / "python"
    wanted = (client / "requirements.txt").read_text(encoding="utf-8")
    marker = venv / "installed-requirements.txt"
    if python.exists() and marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        return python
    failures = []
    for interpreter in interpreters():
        subprocess.run([interpreter, "-m", "venv", "--clear", str(venv)], check=True)
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(client / "requirements.txt")],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
        if install.returncode == 0:
            marker.write_text(wanted, encoding="utf-8")
            return python
        last = install.stderr.strip().splitlines()[-1:] or ["pip failed"]
        failures.append(f"{interpreter}: {last[0]}")
    raise RuntimeError("cannot install its requirements: " + "; ".join(failures))


def node_modules_for(client: Path) -> Path:
    """The client's install folder: its node_modules from the lock file (reused while that is
    unchanged) and a fresh copy of harness.mjs; the path of that copy."""
    home = VENVS / client.name
    lock = (client / "package-lock.json").read_text(encoding="utf-8")
    marker = home / "installed-package-lock.json"
    if not (marker.exists() and marker.read_text(encoding="utf-8") == lock):
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not on PATH")
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(client / name, home / name)
        install = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=home,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
        if install.returncode != 0:
            last = install.stderr.strip().splitlines()[-1:] or ["npm ci failed"]
            raise RuntimeError(f"cannot install its packages: {last[0]}")
        marker.write_text(lock, encoding="utf-8")
    shutil.copyfile(client / "harness.mjs", home / "harness.mjs")
    return home / "harness.mjs"


def harness_command(client: Path) -> list[str]:
    """The command that runs the client's harness (its packages installed first)."""
    if _is_node(client):
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not on PATH")
        return [node, str(node_modules_for(client))]
    return [str(venv_for(client)), str(client / "harness.py")]


def run_client(client: Path, url: str) -> tuple[bool, str]:
    """(passed, the harness's summary line or the reason it failed)."""
    try:
        command = harness_command(client)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        return False, str(exc)
    try:
        done = subprocess.run(
            [*command, "--url", url, "--api-key", API_KEY],
            capture_output=True,
            text=True,
            timeout=HARNESS_TIMEOUT_S,
            env={**os.environ, "PYTHONPATH": ""},
        )
    except subprocess.TimeoutExpired:
        return False, f"the harness ran over {HARNESS_TIMEOUT_S} s"
    output = (done.stdout if done.returncode == 0 else done.stderr or done.stdout).strip()
    lines = output.splitlines()
    return done.returncode == 0, lines[-1] if lines else f"exit {done.returncode}, no output"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="clients to run (default: all)")
    args = parser.parse_args(argv)
    chosen = clients(args.names)
    if not chosen:
        print("run_clients: no client in thirdparty/", file=sys.stderr)
        return 1
    failed = 0
    for client in chosen:
        with MockServer(ServerOptions(fixtures="builtin", strict=True)) as server:
            passed, report = run_client(client, server.url)
            if passed and server.failures:
                passed, report = False, f"the mock failed: {server.failures[0][1]!r}"
        failed += not passed
        print(f"{'PASS' if passed else 'FAIL'} {client.name}: {report}", flush=True)
    print(f"{len(chosen) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
