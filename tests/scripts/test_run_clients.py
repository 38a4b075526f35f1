"""scripts/run_clients.py and the thirdparty/ convention it runs (thirdparty/README.md)."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run_clients():
    spec = importlib.util.spec_from_file_location(
        "run_clients", ROOT / "scripts" / "run_clients.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RUN_CLIENTS = _run_clients()
ALL_CLIENTS = RUN_CLIENTS.clients([])
CLIENTS = [client for client in ALL_CLIENTS if not RUN_CLIENTS._is_node(client)]
NODE_CLIENTS = [client for client in ALL_CLIENTS if RUN_CLIENTS._is_node(client)]


def test_the_clients_are_found():
    """Every folder of thirdparty/ with a README-conformant pair of files is a client."""
    assert "agentduet-adapters" in [client.name for client in CLIENTS]


def test_node_clients_are_found():
    """A folder with package.json, package-lock.json and harness.mjs is a Node.js client."""
    assert "amaster.ai-tts-client" in [client.name for client in NODE_CLIENTS]


@pytest.mark.parametrize("client", NODE_CLIENTS, ids=lambda c: c.name)
def test_every_node_dependency_is_pinned(client):
    """package.json names exact versions, and the lock file holds each of them."""
    wanted = json.loads((client / "package.json").read_text(encoding="utf-8"))["dependencies"]
    locked = json.loads((client / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    assert wanted and all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in wanted.values()), wanted
    assert {name: locked[f"node_modules/{name}"]["version"] for name in wanted} == wanted


@pytest.mark.parametrize("client", NODE_CLIENTS, ids=lambda c: c.name)
def test_every_node_harness_takes_the_agreed_flags(client):
    """harness.mjs parses --url, --api-key and --model."""
    text = (client / "harness.mjs").read_text(encoding="utf-8")
    options = re.search(r"parseArgs\(\{\s*options: \{(.*?)\n  \},", text, re.S)
    assert options is not None
    assert {"url", "api-key", "model"} <= set(re.findall(r'"?([\w-]+)"?: \{ type:', options[1]))


@pytest.mark.parametrize("client", CLIENTS, ids=lambda c: c.name)
def test_every_requirement_is_pinned(client):
    """requirements.txt pins each package (name==version), so a run installs what was tried."""
    lines = [
        line.strip()
        for line in (client / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines and all("==" in line for line in lines), lines


@pytest.mark.parametrize("client", CLIENTS, ids=lambda c: c.name)
def test_every_harness_takes_the_agreed_flags(client):
    """harness.py declares --url and --api-key (required) and --model (optional)."""
    tree = ast.parse((client / "harness.py").read_text(encoding="utf-8"))
    flags = {
        node.args[0].value: {k.arg: k.value for k in node.keywords}
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", None) == "add_argument"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert {"--url", "--api-key", "--model"} <= set(flags)
    assert "required" not in flags["--model"]


def test_an_unknown_client_name_is_refused():
    """`run_clients.py nosuch` stops with the name, before installing anything."""
    with pytest.raises(SystemExit, match="nosuch"):
        RUN_CLIENTS.clients(["nosuch"])


def test_this_interpreter_is_tried_first():
    """A client's venv is made with this Python unless its requirements need a newer one."""
    assert RUN_CLIENTS.interpreters()[0] == sys.executable
