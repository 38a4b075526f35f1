"""Ids keep the documented shapes, and a seeded Random gives the sequence it always gave."""

from __future__ import annotations

import random
import re
import string

from dashscope_realtime_mock.protocol.ids import IdFactory

BASE62 = string.ascii_letters + string.digits


def _reference(rng: random.Random, prefix: str, alphabet: str, length: int) -> str:
    """The reference way of making an id: one `choice` per character."""
    return prefix + "_" + "".join(rng.choice(alphabet) for _ in range(length))


def test_a_seeded_random_gives_the_same_ids_and_leaves_the_same_state():
    """Word-at-a-time drawing equals `choice` per character, for many seeds and both alphabets."""
    for seed in range(300):
        ours, reference = random.Random(seed), random.Random(seed)
        ids = IdFactory(ours)
        for n in range(40):
            if n % 5 == 4:
                length = 1 + (seed + n) % 40
                assert ids.new_hex("call", length) == _reference(
                    reference, "call", "0123456789abcdef", length
                )
            else:
                assert ids.new("event") == _reference(reference, "event", BASE62, 21)
        assert ours.random() == reference.random()


def test_unseeded_ids_have_the_documented_shape_and_differ():
    """Without a seed: prefix + 21 base62 characters, different across sessions."""
    first, second = IdFactory().new("resp"), IdFactory().new("resp")
    assert re.fullmatch(r"resp_[A-Za-z0-9]{21}", first)
    assert first != second


def test_another_random_source_is_used_as_it_is():
    """A SystemRandom (or any Random subclass) is asked one `choice` per character."""

    class Counting(random.Random):
        calls = 0

        def choice(self, seq):
            Counting.calls += 1
            return super().choice(seq)

    assert re.fullmatch(r"item_[A-Za-z0-9]{21}", IdFactory(Counting(1)).new("item"))
    assert Counting.calls == 21
    assert re.fullmatch(r"sess_[A-Za-z0-9]{21}", IdFactory(random.SystemRandom()).new("sess"))


def test_many_ids_at_once_are_those_one_at_a_time_and_leave_the_same_state():
    """new_many(prefix, n) gives what n calls of new give, for many seeds and counts."""
    for seed in range(200):
        batched, single = random.Random(seed), random.Random(seed)
        count = seed % 50
        assert IdFactory(batched).new_many("event", count) == [
            _reference(single, "event", BASE62, 21) for _ in range(count)
        ]
        assert batched.random() == single.random()


def test_many_ids_from_another_random_source_are_those_one_at_a_time():
    batched, single = IdFactory(random.SystemRandom()), IdFactory(random.SystemRandom())
    assert all(re.fullmatch(r"event_[A-Za-z0-9]{21}", i) for i in batched.new_many("event", 5))

    class Seeded(random.Random):
        """A Random subclass: the per-character path."""

    first, second = IdFactory(Seeded(7)), IdFactory(Seeded(7))
    assert first.new_many("item", 4) == [second.new("item") for _ in range(4)]
    assert single.new_many("event", 0) == []
