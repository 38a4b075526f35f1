"""Before a request is whole: redaction, repeated log lines (transport/http_guard.py)."""

from __future__ import annotations

import logging

import pytest

from dashscope_realtime_mock.transport.http_guard import RepeatedLines, redact


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("/x?api_key=sk-1&model=m", "/x?api_key=***&model=m"),
        ("/x?token=abc", "/x?token=***"),
        ("Authorization: Bearer sk-2", "Authorization: Bearer ***"),
    ],
)
def test_keys_are_redacted(text, shown):
    """A key in a query string or a Bearer header becomes ***."""
    assert redact(text) == shown


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("mockserver", logging.INFO, __file__, 1, message, None, None)


def test_lines_of_other_kinds_are_counted_apart():
    """The burst is per message template: another kind still goes through."""
    limit = RepeatedLines(burst=2, window_s=60)
    assert [limit.filter(_record("a")) for _ in range(3)] == [True, True, False]
    assert limit.filter(_record("b"))
