"""The package's public names: each one in `__all__` loads on first use, from its one home."""

from __future__ import annotations

import subprocess
import sys

import pytest

import dashscope_realtime_mock


@pytest.mark.parametrize("name", dashscope_realtime_mock.__all__)
def test_every_public_name_loads_in_a_fresh_interpreter(name):
    """`from dashscope_realtime_mock import NAME` works for every name `__all__` lists."""
    code = f"from dashscope_realtime_mock import {name}; print({name} is not None)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_a_name_that_is_not_public_is_an_attribute_error():
    """An unknown name fails as any module's would, naming the module and the name."""
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        dashscope_realtime_mock.Nope  # noqa: B018


def test_dir_lists_every_public_name():
    """dir() shows the lazy names too, so completion in a REPL finds them."""
    assert set(dashscope_realtime_mock.__all__) <= set(dir(dashscope_realtime_mock))
