"""`realtime-mock serve` serves the inspector by default and not with --no-inspector."""

from __future__ import annotations

import urllib.error
import urllib.request

from tests.mockserver.banner import serving


def _status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_serve_offers_the_inspector_page():
    """By default GET /inspect answers 200 (the banner names it too)."""
    with serving() as banner:
        assert _status(banner.port, "/inspect") == 200


def test_no_inspector_turns_the_page_off():
    """--no-inspector: the inspector's page is not served (the JSON 404 of unknown paths)."""
    with serving("--no-inspector") as banner:
        assert _status(banner.port, "/inspect") == 404
