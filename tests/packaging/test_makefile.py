"""The Makefile as a CI step: `make serve` installs no dev tools, and a browser that cannot be
installed (apt's lock held, no network) is one line, not the end of `make test`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# An apt-get that notes its arguments and fails as one whose lock another process holds.
LOCKED_APT = """#!/bin/sh
echo "$@" >> "$APT_CALLS"
echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1 (apt-get)" >&2
exit 100
"""


def _make(*args: str, path: Path | None = None, env: dict[str, str] | None = None):
    environment = {**os.environ, **(env or {})}
    if path is not None:
        environment["PATH"] = f"{path}:{environment['PATH']}"
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_browser_that_cannot_be_installed_is_one_line_and_no_failure(tmp_path):
    """apt-get fails (its lock is held): `make browser` says so in one line and exits 0."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text(LOCKED_APT)
    (bin_dir / "id").write_text("#!/bin/sh\necho 0\n")  # as root, so make tries to install
    for tool in ("apt-get", "id"):
        (bin_dir / tool).chmod(0o755)
    calls = tmp_path / "calls"
    log = tmp_path / "apt.log"
    result = _make(
        "browser",
        "CHROMIUM=no-such-browser",
        f"APT_LOG={log}",
        path=bin_dir,
        env={"APT_CALLS": str(calls)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"could not install chromium (apt-get failed, see {log}): the page tests will skip"
    ]
    assert "Could not get lock" in log.read_text()
    assert all("-o DPkg::Lock::Timeout=300" in call for call in calls.read_text().splitlines())


def test_make_serve_installs_the_package_without_the_dev_extra(tmp_path):
    """`make -n serve` on a fresh venv installs `-e .` alone: no linters, no browser driver."""
    result = _make("-n", "serve", f"VENV={tmp_path / 'venv'}")
    assert result.returncode == 0, result.stderr
    assert "pip install --quiet -e .\n" in result.stdout and "[dev]" not in result.stdout


def test_make_test_installs_the_dev_extra(tmp_path):
    """`make -n test` on a fresh venv installs the dev extra before running pytest."""
    result = _make("-n", "test", f"VENV={tmp_path / 'venv'}", "CHROMIUM=sh")
    assert result.returncode == 0, result.stderr
    assert "pip install --quiet -e '.[dev]'" in result.stdout and "-m pytest" in result.stdout
