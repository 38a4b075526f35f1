"""The one part of the build that pyproject.toml cannot say: a package whose folder is elsewhere.

The fixture library stays at the top of the repository (`fixtures/`) and ships inside the
package as `mockserver/fixtures/`, so that `fixtures="builtin"` works from an installed wheel
(`mockserver/builtin.py` finds it in either place). Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["mockserver*", "schemas*", "client*"]),
        "mockserver.fixtures",
    ],
    package_dir={"mockserver.fixtures": "fixtures"},
)
