"""The one part of the build that pyproject.toml cannot say: the installed names of our folders.

The repository keeps its top-level folders (`mockserver/`, `client/`, `schemas/`, `fixtures/`);
installed, they become one package with a name no user project plausibly has, so nothing of
ours shadows a user's `client.py` or `schemas/` and nothing of theirs shadows ours:

    mockserver/  →  dashscope_realtime_mock
    client/      →  dashscope_realtime_mock.client
    schemas/     →  dashscope_realtime_mock.schemas
    fixtures/    →  dashscope_realtime_mock.fixtures   (`fixtures="builtin"`, mockserver/replay/builtin.py)

Every folder is listed as a package, the data folders too (`data/`, `inspector/static/`,
`schemas/client/`, `fixtures/speech/`, ...): Python can import a folder without an __init__.py
(a namespace package), so setuptools warns about each one it is not told of ("Package would be
ignored"). Their files are the package data that pyproject.toml names.

Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

PACKAGE = "dashscope_realtime_mock"
FOLDERS = {
    PACKAGE: "mockserver",
    f"{PACKAGE}.client": "client",
    f"{PACKAGE}.schemas": "schemas",
    f"{PACKAGE}.fixtures": "fixtures",
}


def packages() -> list[str]:
    """Every package the distribution holds: each folder of FOLDERS and every folder inside it
    whose name can be imported (a scenario's folder, `asr-8k`, cannot: it is data only)."""
    found: list[str] = []
    for name, folder in FOLDERS.items():
        subs = find_namespace_packages(where=folder, exclude=["*__pycache__*"])
        found += [name, *(f"{name}.{sub}" for sub in subs if sub.replace(".", "_").isidentifier())]
    return found


if __name__ == "__main__":  # as setuptools runs it; tests/packaging/test_setup.py imports it
    setup(packages=packages(), package_dir=FOLDERS)
