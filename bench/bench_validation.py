"""Cost of schema validation per event, against the cost of parsing the same event's JSON.

Typical events: a server `response.audio.delta` (200 ms of 24 kHz PCM16, base64) as strict mode
checks it; a client `session.update` (the documented Omni example) and a 100 ms
`input_audio_buffer.append`, as the server checks every incoming event. The baseline is `json.loads` of the same frame: what any server pays anyway.

Run: `make bench` (or `python bench/bench_validation.py`).
"""

from __future__ import annotations

import base64
import json
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashscope_realtime_mock import schemas
from dashscope_realtime_mock.protocol.schema_checks import check_client_event, check_server_event

AUDIO_DELTA = {
    "event_id": "event_B1osWMZBtrEQbiIwW0qHQ",
    "type": "response.audio.delta",
    "response_id": "resp_P79OOMs8LnrXVpiIHUCKR",
    "item_id": "item_OFaPGtzfWCPyGzxnuEX9i",
    "output_index": 0,
    "content_index": 0,
    "delta": base64.b64encode(bytes(4800 * 2)).decode(),
}
AUDIO_APPEND = {
    "event_id": "event_1",
    "type": "input_audio_buffer.append",
    "audio": base64.b64encode(bytes(1600 * 2)).decode(),
}
SESSION_UPDATE = json.loads(
    (
        Path(__file__).resolve().parent.parent
        / "tests/schemas/examples/omni/session.update.en.json"
    ).read_text()
)


def _per_event_us(statement: Callable[[], object], number: int) -> float:
    return min(timeit.repeat(statement, number=number, repeat=5)) / number * 1e6


def main() -> None:
    schemas.validator("server", "response.audio.delta", "omni")  # compiled once, before timing
    schemas.validator("client", "session.update", "omni")
    cases = [
        (
            "server response.audio.delta (strict mode)",
            AUDIO_DELTA,
            lambda: check_server_event(AUDIO_DELTA, "omni"),
        ),
        (
            "client session.update (every incoming event)",
            SESSION_UPDATE,
            lambda: check_client_event(SESSION_UPDATE, "omni"),
        ),
        (
            "client input_audio_buffer.append, 100 ms",
            AUDIO_APPEND,
            lambda: check_client_event(AUDIO_APPEND, "omni"),
        ),
    ]
    for name, event, validate in cases:
        frame = json.dumps(event)

        def decode(frame: str = frame) -> object:
            return json.loads(frame)

        base = _per_event_us(decode, 2000)
        cost = _per_event_us(validate, 2000)
        print(f"{name}: {len(frame):,} bytes")
        print(f"  baseline json.loads: {base:8.1f} us/event")
        print(f"  schema validation:   {cost:8.1f} us/event   ratio {cost / base:.2f}")


if __name__ == "__main__":
    main()
