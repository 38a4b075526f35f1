"""The longest loop steps a long answer costs: an Omni tool output read aloud, by its length.

A `function_call_output` of N words is answered in fast pace; the bench times the two steps a
server makes on the event loop: receiving `response.create` (the answer is planned, cut to
`max_tokens` and spoken) and taking the response's events (built at once in fast pace). The
answer's length is bounded by the model's documented output-token limit (16,384 for
qwen3-omni-flash-realtime, 2,048 for qwen-omni-turbo-realtime), so the steps stop growing past
it; the target is 5 ms per step.

Run: `python bench/bench_long_answers.py`.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.media.speech import warm_voice

MODELS = ("qwen3-omni-flash-realtime", "qwen-omni-turbo-realtime")
WORDS = (100, 1_000, 8_000, 40_000)


def _steps_ms(model: str, words: int, max_tokens: int | None) -> tuple[float, float, int]:
    """(receiving response.create, taking the events) in ms, and how many events."""
    session = open_session(model, rng=random.Random(1))
    session.events_to_send()
    update: dict[str, object] = {"turn_detection": None}
    if max_tokens is not None:
        update["max_tokens"] = max_tokens
    session.receive_event({"type": "session.update", "session": update, "event_id": "e1"})
    warm_voice(session.config["voice"])
    output = " ".join(f"word{n % 97}." for n in range(words))
    item = {"type": "function_call_output", "call_id": "call_1", "output": output}
    session.receive_event({"type": "conversation.item.create", "item": item, "event_id": "e2"})
    session.events_to_send()
    started = time.perf_counter()
    session.receive_event({"type": "response.create", "event_id": "e3"})
    receiving = time.perf_counter() - started
    started = time.perf_counter()
    events = session.events_to_send()
    taking = time.perf_counter() - started
    return receiving * 1000, taking * 1000, len(events)


def main() -> None:
    print(f"{'model':28} {'words':>7} {'max_tokens':>10} {'receive ms':>11} {'take ms':>8} events")
    for model in MODELS:
        for max_tokens in (None, 256):
            for words in WORDS:
                receiving, taking, count = _steps_ms(model, words, max_tokens)
                shown = "default" if max_tokens is None else str(max_tokens)
                print(
                    f"{model:28} {words:>7} {shown:>10} {receiving:>11.1f} {taking:>8.1f} {count}"
                )


if __name__ == "__main__":
    main()
