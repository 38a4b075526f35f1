"""The longest loop steps a long answer costs: an Omni tool output read aloud, by its length.

A `function_call_output` of N words is answered; the bench times each synchronous step a
server makes on the event loop, and reports the worst of each phase:

- receive: receiving `response.create` (the answer is planned, cut to `max_tokens`, spoken);
- take: the worst single pull of one event by the transport (`peek_event` + `next_event`; the
  first pull builds the answer, later pulls make it a chunk at a time), and the total;
- cancel: `response.cancel` half-way through the answer.

The answer's length is bounded by the model's documented output-token limit (16,384 for
qwen3-omni-flash-realtime, 2,048 for qwen-omni-turbo-realtime, 65,536 for
qwen3.8-omni-flash-realtime), so the steps stop growing past it; the target is 5 ms per step.

Each step is timed in CPU time of the thread (`time.thread_time`), so a step the machine's other
work pre-empts is not counted as the step's own cost.

Run: `python bench/bench_long_answers.py` (this tree), or with `--base REV` to print the same
rows for the package at git revision REV side by side (exported to a temporary folder). Each
figure is the least of `--repeat` runs (3).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# each model, and the max_tokens it is run with (None: its default; Qwen-Audio has no max_tokens
# and cuts at a fixed ceiling)
MODELS = {
    "qwen3-omni-flash-realtime": (None, 256),
    "qwen-omni-turbo-realtime": (None, 256),
    "qwen3.8-omni-flash-realtime": (None, 256),
    "qwen-audio-3.0-realtime-plus": (None,),
}
WORDS = (100, 1_000, 8_000, 40_000)


def _session(model: str, words: int, max_tokens: int | None) -> object:
    """A session about to be asked for the answer, every cache of answers emptied (a new answer
    is the worst case; the voice's syllables stay warm, as the server warms them ahead)."""
    from dashscope_realtime_mock.families import open_session
    from dashscope_realtime_mock.media import speech
    from dashscope_realtime_mock.media.speech import warm_voice
    from dashscope_realtime_mock.responses import events

    speech.synthesize_speech.cache_clear()
    for shared in ("spoken", "_shared_speech"):  # whichever this revision caches answers in
        cache_clear = getattr(getattr(speech, shared, None), "cache_clear", None)
        if cache_clear is not None:
            cache_clear()
    events._ENCODED.clear()

    session = open_session(model, rng=random.Random(1))
    session.events_to_send()
    update: dict[str, object] = {"turn_detection": None}
    if max_tokens is not None:
        update["max_tokens"] = max_tokens
    session.receive_event({"type": "session.update", "session": update, "event_id": "e1"})
    warm_voice(session.config["voice"])
    # a user turn first: qwen3.8 answers nothing without one (docs/protocol/omni-next.md)
    question = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "Read it."}],
    }
    session.receive_event({"type": "conversation.item.create", "item": question, "event_id": "e0"})
    output = " ".join(f"word{n % 97}." for n in range(words))
    item = {"type": "function_call_output", "call_id": "call_1", "output": output}
    session.receive_event({"type": "conversation.item.create", "item": item, "event_id": "e2"})
    session.events_to_send()
    return session


def _ms(step: object) -> float:
    started = time.thread_time()
    step()  # type: ignore[operator]
    return (time.thread_time() - started) * 1000


def _pulls(session: object, limit: int | None = None) -> tuple[float, float, int]:
    """(worst pull ms, total ms, events) taking up to `limit` events one at a time."""
    worst = total = 0.0
    count = 0
    while limit is None or count < limit:
        started = time.thread_time()
        event = session.peek_event()  # type: ignore[attr-defined]
        if event is None:
            break
        session.next_event()  # type: ignore[attr-defined]
        spent = (time.thread_time() - started) * 1000
        worst, total, count = max(worst, spent), total + spent, count + 1
    return worst, total, count


def measure(model: str, words: int, max_tokens: int | None) -> dict[str, float]:
    """One row: the worst step of each phase, in ms."""
    create = {"type": "response.create", "event_id": "e3"}
    session = _session(model, words, max_tokens)
    receive = _ms(lambda: session.receive_event(create))  # type: ignore[attr-defined]
    worst, total, count = _pulls(session)
    session = _session(model, words, max_tokens)
    session.receive_event(create)  # type: ignore[attr-defined]
    _pulls(session, count // 2)
    cancel_event = {"type": "response.cancel", "event_id": "e4"}
    cancel = _ms(lambda: session.receive_event(cancel_event))  # type: ignore[attr-defined]
    cancel += _pulls(session)[0]
    return {"receive": receive, "pull": worst, "total": total, "cancel": cancel, "events": count}


def rows(repeat: int = 1) -> list[dict[str, object]]:
    """Every row, each figure the least of `repeat` runs (the machine is shared: the least is
    the step's own cost, the rest is other work)."""
    out: list[dict[str, object]] = []
    for model, max_tokens_tried in MODELS.items():
        for max_tokens in max_tokens_tried:
            for words in WORDS:
                runs = [measure(model, words, max_tokens) for _ in range(repeat)]
                least = {key: min(run[key] for run in runs) for key in runs[0]}
                out.append({"model": model, "words": words, "max_tokens": max_tokens, **least})
    return out


def _rows_at(revision: str, repeat: int) -> list[dict[str, object]]:
    """The same rows for the package at `revision`, run in its own interpreter."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "mockserver"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        package = Path(folder) / "dashscope_realtime_mock"
        package.symlink_to(Path(folder) / "mockserver")
        code = (
            f"import sys, json; sys.path.insert(0, {folder!r}); sys.path.insert(1, {str(ROOT)!r});"
            f"from bench.bench_long_answers import rows; print(json.dumps(rows({repeat})))"
        )
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="a git revision to compare with, side by side")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the least shown)")
    args = parser.parse_args()
    before = _rows_at(args.base, args.repeat) if args.base else None
    now = rows(args.repeat)
    print(
        f"{'model':26} {'words':>6} {'max_tok':>7} {'events':>6}"
        f"  {'receive':>15} {'worst pull':>15} {'all pulls':>15} {'cancel':>15}  (ms)"
    )
    for k, row in enumerate(now):
        cells = []
        for key in ("receive", "pull", "total", "cancel"):
            value = f"{row[key]:.1f}"
            cells.append(f"{before[k][key]:.1f} → {value}" if before else value)
        shown = "default" if row["max_tokens"] is None else str(row["max_tokens"])
        print(
            f"{row['model']:26} {row['words']:>6} {shown:>7} {row['events']:>6}"
            + "".join(f"  {c:>15}" for c in cells)
        )


if __name__ == "__main__":
    main()
