"""The built wheel, installed into a fresh venv (not the checkout), gives a user what they need.

The venv borrows the test venv's dependencies through a .pth file, so nothing is downloaded;
the package itself comes only from the wheel, and every command runs from a temporary project
outside the repository.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import textwrap
import urllib.request
import venv
from pathlib import Path

import pytest

from tests.mockserver.banner import serving

REPO = Path(__file__).resolve().parents[2]
NOT_SOURCES = shutil.ignore_patterns(
    ".*", "build", "dist", "*.egg-info", "__pycache__", "tests", "bench", "scripts"
)


@pytest.fixture(scope="module")
def python(tmp_path_factory) -> Path:
    """The interpreter of a fresh venv with the wheel built from this checkout installed."""
    work = tmp_path_factory.mktemp("wheel")
    shutil.copytree(REPO, work / "src", ignore=NOT_SOURCES)  # the build writes next to its sources
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*build, "-w", work / "dist", work / "src"], check=True, capture_output=True)
    [wheel] = (work / "dist").glob("*.whl")
    venv.create(work / "venv", with_pip=False)
    interpreter = work / "venv" / "bin" / "python"
    [site_packages] = (work / "venv" / "lib").glob("python*/site-packages")
    (site_packages / "test-venv-deps.pth").write_text(site.getsitepackages()[0] + "\n")
    install = [sys.executable, "-m", "pip", "--python", interpreter, "install", "--no-deps", "-q"]
    subprocess.run([*install, "--no-index", wheel], check=True, capture_output=True)
    return interpreter


@pytest.fixture
def project(tmp_path) -> Path:
    """An empty user project outside the repository."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return tmp_path


def test_the_package_comes_from_the_wheel_with_its_type_markers(python, project):
    """The package, its client and its schemas import from the venv, each with py.typed."""
    program = (
        "import dashscope_realtime_mock as m, dashscope_realtime_mock.client, "
        "dashscope_realtime_mock.schemas; print(m.__file__)"
    )
    where = subprocess.run(
        [python, "-c", program],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    package = Path(where).parent
    installed = package.parent
    assert installed.name == "site-packages" and python.parent.parent in installed.parents
    for folder in (package, package / "client", package / "schemas"):
        assert (folder / "py.typed").is_file()


def test_serve_fixtures_builtin_replays_the_shipped_library(python, project):
    """`realtime-mock serve --fixtures builtin` from the wheel lists the bundled scenarios."""
    with serving("--fixtures", "builtin", python=str(python), cwd=project) as banner:
        scenarios = _healthz(banner.port)["scenarios"]
    assert {"asr-vad", "omni-vad", "livetranslate-transcription"} <= set(scenarios)


def _healthz(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
        return json.load(response)


USER_TEST = textwrap.dedent("""
    import asyncio

    import pytest
    from dashscope_realtime_mock import Behaviour, MockServer, Pace, RealtimeClient, ServerOptions


    @pytest.mark.realtime_mock(fixtures="builtin", scenario="asr-vad")
    def test_builtin_scenario(realtime_mock, realtime_client):
        async def finish():
            async with realtime_client("qwen3-asr-flash-realtime") as rt:
                return await rt.wait_for("session.created", timeout=10)
        assert asyncio.run(finish()).type == "session.created"


    def test_public_names():
        options = ServerOptions(fixtures="builtin", pace=Pace.FAST, behaviour=Behaviour())
        with MockServer(options) as server:
            assert server.url.startswith("ws://127.0.0.1:")
        assert RealtimeClient.__module__ == "dashscope_realtime_mock.client.connection"
""")


def test_a_user_project_uses_the_plugin_and_the_public_names(python, project):
    """A user's test: the realtime_mock plugin with fixtures="builtin" and the top-level names."""
    (project / "test_user.py").write_text(USER_TEST, encoding="utf-8")
    result = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


# A user project whose own names are the generic ones ours used to be: a `client.py` and a
# `schemas/` package at its root, first on sys.path when pytest runs there.
USER_CLIENT = "class RealtimeClient:\n    pass  # the user's own, nothing to do with ours\n"
USER_SCHEMAS = "errors = None  # the user's own package\n"
SDK_TEST = textwrap.dedent("""
    import threading

    import client
    import schemas
    from dashscope.audio.qwen_omni import OmniRealtimeCallback, OmniRealtimeConversation


    class Callback(OmniRealtimeCallback):
        def __init__(self):
            self.kinds, self.finished = [], threading.Event()

        def on_event(self, response):
            self.kinds.append(response["type"])
            if response["type"] == "session.finished":
                self.finished.set()


    def test_the_sdk_completes_a_session_beside_our_own_client_and_schemas(realtime_mock):
        assert client.RealtimeClient.__module__ == "client" and schemas.errors is None
        callback = Callback()
        conversation = OmniRealtimeConversation(
            model="qwen3-asr-flash-realtime", callback=callback, url=realtime_mock.url,
            api_key="sk-user",
        )
        conversation.connect()
        conversation.end_session()
        assert callback.finished.wait(10)
        conversation.close()
        assert callback.kinds[0] == "session.created" and "session.finished" in callback.kinds
""")


def test_a_user_projects_own_client_and_schemas_do_not_clash(python, project):
    """With its own client.py and schemas/ package, a user's SDK test against the plugin passes."""
    (project / "client.py").write_text(USER_CLIENT, encoding="utf-8")
    (project / "schemas").mkdir()
    (project / "schemas" / "__init__.py").write_text(USER_SCHEMAS, encoding="utf-8")
    (project / "test_sdk.py").write_text(SDK_TEST, encoding="utf-8")
    result = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def readme_first_test() -> str:
    """The README's first test, as written: the Python block between its marker comments."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- first test:")
    block = readme[start : readme.index("<!-- end first test -->", start)]
    return block.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readmes_first_test_passes_as_written(python, project):
    """The README's first test, copied into a user's project, passes against the wheel's plugin."""
    (project / "test_first.py").write_text(readme_first_test(), encoding="utf-8")
    result = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_wheel_offers_the_extras_the_readme_names(python, project):
    """`pip install "...[pytest]"` (the README's line) and `[dev]` (make test) name real extras."""
    program = (
        "from importlib.metadata import metadata; "
        "print(metadata('dashscope-realtime-mock').get_all('Provides-Extra'))"
    )
    extras = subprocess.run(
        [python, "-c", program], cwd=project, check=True, capture_output=True, text=True
    ).stdout
    assert "'pytest'" in extras and "'dev'" in extras
    assert '[pytest]"' in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_demo_runs_from_the_wheel_as_the_readme_spells_it(python, project):
    """`python -m dashscope_realtime_mock.client --help` works from the installed wheel."""
    result = subprocess.run(
        [python, "-m", "dashscope_realtime_mock.client", "translate", "--help"],
        cwd=project,
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "--from" in result.stdout and "python -m dashscope_realtime_mock.client" in result.stdout
    assert "python -m dashscope_realtime_mock.client translate" in (REPO / "README.md").read_text(
        encoding="utf-8"
    )
