import os

import pytest
from hypothesis import HealthCheck, settings

from dashscope_realtime_mock.transport import voices
from tests.support import load_speech

# `make test` runs the quick profile; `make fuzz` the deep one (HYPOTHESIS_PROFILE=deep).
settings.register_profile(
    "quick",
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "deep",
    max_examples=1000,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture(scope="session")
def speech_en():
    return load_speech("en_two_utterances")


@pytest.fixture(scope="session")
def speech_zh():
    return load_speech("zh_two_utterances")


@pytest.fixture(scope="session")
def speech_en_8k():
    return load_speech("en_two_utterances_8k")


@pytest.fixture(autouse=True)
def _voice_warmups_end_with_their_test():
    """A voice warm-up a test started (transport/voices.py, one worker thread) is finished
    before the next test, whose speech caches are then its own to look at."""
    yield
    voices._warming.submit(lambda: None).result(timeout=60)
