import pytest

from tests.support import ThreadedServer, load_speech


@pytest.fixture(scope="session")
def speech_en():
    return load_speech("en_two_utterances")


@pytest.fixture(scope="session")
def speech_zh():
    return load_speech("zh_two_utterances")


@pytest.fixture(scope="session")
def speech_en_8k():
    return load_speech("en_two_utterances_8k")


@pytest.fixture
def threaded_server():
    with ThreadedServer() as server:
        yield server
