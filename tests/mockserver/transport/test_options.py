"""ServerOptions: one declaration per option, from which the checks, the flags and the docs come."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from dashscope_realtime_mock.cli import build_parser
from dashscope_realtime_mock.transport.options import (
    Bound,
    OptionError,
    ServerOptions,
    declared_options,
    flag_of,
    options_table,
)


def _only(keyword: str, value: object) -> dict[str, Any]:
    """The keywords of ServerOptions(keyword=value), for a keyword chosen at run time."""
    return {keyword: value}


BOUNDED = [d.keyword for d in declared_options() if d.option.bound is not None]


def test_every_field_declares_its_option():
    """Each ServerOptions field carries an Option with a meaning."""
    assert [d.keyword for d in declared_options()] == list(ServerOptions.__dataclass_fields__)
    assert all(d.option.meaning for d in declared_options())


def test_only_the_callbacks_are_python_only():
    """observer and watcher have no flag; every other option has one."""
    assert [d.keyword for d in declared_options() if d.option.flag is None] == [
        "observer",
        "watcher",
    ]


def test_the_declared_defaults_are_the_dataclass_defaults():
    """What the docs call the default is what ServerOptions() holds (before resolving)."""
    built = ServerOptions()
    for declared in declared_options():
        if declared.keyword not in ("faults", "fixtures", "answers"):  # resolved when built
            assert getattr(built, declared.keyword) == declared.default, declared.keyword


@pytest.mark.parametrize("keyword", BOUNDED)
def test_a_value_below_its_bound_is_refused_naming_the_option(keyword):
    """Every bounded option refuses -1 with an OptionError naming it."""
    with pytest.raises(OptionError) as refused:
        ServerOptions(**_only(keyword, -1))
    assert refused.value.option == keyword and refused.value.problem.endswith("not -1")


@pytest.mark.parametrize("keyword", BOUNDED)
def test_a_value_at_zero_is_refused_only_by_a_strict_bound(keyword):
    """0 passes a >= 0 bound and fails a > 0 one."""
    [declared] = [d for d in declared_options() if d.keyword == keyword]
    assert declared.option.bound is not None
    if declared.option.bound.strict:
        with pytest.raises(OptionError):
            ServerOptions(**_only(keyword, 0))
    else:
        assert getattr(ServerOptions(**_only(keyword, 0)), keyword) == 0


def test_a_bound_words_its_problem():
    """A strict bound says >, why, and the value; a float shows without a trailing .0."""
    assert Bound(strict=True, why="how many times faster").problem(0.0) == (
        "must be > 0 (how many times faster), not 0"
    )
    assert Bound().problem(-2) == "must be >= 0, not -2"
    assert Bound().problem(0) is None


def test_the_flag_of_an_option_is_its_declared_one():
    """idle_timeout_s is --idle-timeout; a Python-only option is named by its keyword."""
    assert flag_of("idle_timeout_s") == "--idle-timeout"
    assert flag_of("observer") == "observer"


def test_every_declared_flag_is_a_serve_flag():
    """`serve` has a flag for every option that declares one, and no other option flag."""
    [commands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    flags = {s for action in commands.choices["serve"]._actions for s in action.option_strings}
    declared = {d.option.flag for d in declared_options() if d.option.flag is not None}
    assert declared <= flags
    assert flags - declared == {
        "-h",
        "--help",
        "--host",
        "--port",
        "--no-inspector",
        "--inspector-remote",
        "--inspector-host",
        "--workers",
        "--slow-step-ms",
        "--log-level",
    }


def test_the_options_table_has_a_row_per_option():
    """One row per ServerOptions field, under a header and its rule."""
    rows = options_table().splitlines()
    assert len(rows) == 2 + len(declared_options())
    assert rows[0] == "| flag | Python keyword | default | meaning |"
