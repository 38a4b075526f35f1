"""The one part of the build that pyproject.toml cannot say: the installed names of our folders.

The repository keeps its top-level folders (`mockserver/`, `client/`, `schemas/`, `fixtures/`);
installed, they become one package with a name no user project plausibly has, so nothing of
ours shadows a user's `client.py` or `schemas/` and nothing of theirs shadows ours:

    mockserver/  →  dashscope_realtime_mock
    client/      →  dashscope_realtime_mock.client
    schemas/     →  dashscope_realtime_mock.schemas
    fixtures/    →  dashscope_realtime_mock.fixtures   (`fixtures="builtin"`, mockserver/replay/builtin.py)

Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

PACKAGE = "dashscope_realtime_mock"
FOLDERS = {PACKAGE: "mockserver", f"{PACKAGE}.client": "client", f"{PACKAGE}.schemas": "schemas"}

packages = [f"{PACKAGE}.fixtures"]
for name, folder in FOLDERS.items():
    packages += [name, *(f"{name}.{sub}" for sub in find_packages(where=folder))]

setup(
    packages=packages,
    package_dir={**FOLDERS, f"{PACKAGE}.fixtures": "fixtures"},
)
