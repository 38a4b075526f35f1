"""Report how much the state machines ran (for `make fuzz`)."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter) -> None:
    machines = sys.modules.get("tests.property.machines")  # imported lazily: only if machines ran
    if machines is None or not machines.STEPS:
        return
    steps, sequences = machines.STEPS, machines.SEQUENCES
    terminalreporter.section("state machines")
    for name in sorted(steps):
        terminalreporter.write_line(f"{name}: {sequences[name]} sequences, {steps[name]} steps")
    terminalreporter.write_line(
        f"total: {sum(sequences.values())} sequences, {sum(steps.values())} steps"
    )
