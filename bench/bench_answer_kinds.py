"""The longest loop steps a 256 Ki-character tool output costs, by what its characters are.

bench_long_answers.py grows an answer of English words; this one keeps the length at the
`function_call_output` cap and varies the text: English, Chinese without spaces, base64, emoji,
CJK extension B (astral), runs of many syllables ("baba…"), digits (one word without a vowel).
Each row times, in CPU time of the thread, the synchronous steps a server makes:

- item: receiving the `function_call_output` (its input tokens are counted; the frame is read
  and schema-checked beforehand, as the transport does in a worker thread);
- create: receiving `response.create` (the answer starts; in fast pace, whatever is due by
  audio time is made at once);
- pull: the worst single pull of one event by the transport (`peek_event` + `next_event`).

Both playbacks are run: `transport` (realtime pace: the transport takes the events) and
`audio_time` (fast pace, the default: events are released by the client's audio time, here
all at once when the input goes idle). The target is 5 ms per step. Automatic garbage
collection is off, as in `serve` (transport/collector.py), and a full collection runs between
rows.

Run: `python bench/bench_answer_kinds.py [--modalities text]`.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import random
import time
from collections.abc import Callable

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.media.speech import warm_voice
from dashscope_realtime_mock.session.base import Playback, Session

MODELS = (
    "qwen3-omni-flash-realtime",
    "qwen3.8-omni-flash-realtime",
    "qwen-audio-3.0-realtime-plus",
)
CHARS = 256 * 1024 - 16  # within the 256 Ki-character cap of a field


def kinds() -> dict[str, str]:
    """Each text, CHARS long."""
    blob = base64.b64encode(random.Random(1).randbytes(CHARS)).decode()
    return {
        "english": ("hello world, " * CHARS)[:CHARS],
        "chinese": ("中文字符测试一二三四" * CHARS)[:CHARS],
        "base64": blob[:CHARS],
        "emoji": "\U0001f600" * CHARS,
        "cjk-ext-b": "\U00020000" * CHARS,
        "syllables": (("ba" * 32 + " ") * CHARS)[:CHARS],
        "digits": "1" * CHARS,
    }


def _ms(step: Callable[[], object]) -> float:
    started = time.thread_time()
    step()
    return (time.thread_time() - started) * 1000


def measure(model: str, text: str, playback: Playback, modalities: list[str]) -> dict[str, float]:
    """One row: the item and create steps, and the worst pull, in ms."""
    session: Session = open_session(model, rng=random.Random(1), playback=playback)
    session.events_to_send()
    update = {"turn_detection": None, "modalities": modalities}
    session.receive_event({"type": "session.update", "session": update, "event_id": "e1"})
    warm_voice(session.config["voice"])
    user = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}
    session.receive_event({"type": "conversation.item.create", "item": user, "event_id": "e2"})
    session.events_to_send()
    output = {"type": "function_call_output", "call_id": "call_1", "output": text}
    event = {"type": "conversation.item.create", "item": output, "event_id": "e3"}
    # a long frame is read and schema-checked in a worker thread (transport/receiving.py)
    read = session.vet_frame(json.dumps(event))
    item = _ms(lambda: session.receive_read(*read))
    session.events_to_send()
    create = _ms(lambda: session.receive_event({"type": "response.create", "event_id": "e4"}))
    session.input_idle()  # fast pace: the client sends nothing more, so it all plays out
    worst = 0.0
    while True:
        started = time.thread_time()
        if session.peek_event() is None:
            break
        session.next_event()
        worst = max(worst, (time.thread_time() - started) * 1000)
    return {"item": item, "create": create, "pull": worst}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modalities", default="text,audio", help="text,audio or text")
    args = parser.parse_args()
    modalities = args.modalities.split(",")
    gc.disable()
    print(f"{'model':30} {'text':10} {'playback':10} {'item':>7} {'create':>7} {'pull':>7}  (ms)")
    for model in MODELS:
        for name, text in kinds().items():
            for playback in Playback:
                gc.collect()
                row = measure(model, text, playback, modalities)
                cells = "".join(f" {row[key]:7.1f}" for key in ("item", "create", "pull"))
                print(f"{model:30} {name:10} {playback.value:10}{cells}", flush=True)


if __name__ == "__main__":
    main()
