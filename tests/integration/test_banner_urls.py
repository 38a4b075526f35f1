"""The URLs the `serve` banner prints, pasted as they are into each official SDK, work."""

from __future__ import annotations

from dashscope import Client
from dashscope.audio.qwen_omni import MultiModality, OmniRealtimeConversation

from tests.integration.sdk_support import API_KEY, SDK_WARNINGS, Recorder
from tests.mockserver.banner import serving
from tests.support import LIVETRANSLATE, b64, types

pytestmark = SDK_WARNINGS


def test_the_banners_legacy_url_completes_a_legacy_sdk_session(speech_en):
    """url= from the banner, pasted into OmniRealtimeConversation: a session runs to session.finished."""
    recorder = Recorder()
    with serving() as banner:
        conversation = OmniRealtimeConversation(
            model=LIVETRANSLATE, callback=recorder, url=banner.legacy_url, api_key=API_KEY
        )
        conversation.connect()
        conversation.update_session(output_modalities=[MultiModality.TEXT])
        for chunk in speech_en.chunks(100):
            conversation.append_audio(b64(chunk))
        conversation.end_session(timeout=20)
        conversation.close()
    kinds = types(recorder.events)
    assert kinds[0] == "session.created" and kinds[-1] == "session.finished"
    assert "error" not in kinds


def test_the_banners_v2_url_completes_a_v2_sdk_session():
    """ws_url= from the banner, pasted into the v2 client's connect: the session finishes."""
    client = Client(api_key=API_KEY)
    with (
        serving() as banner,
        client.audio.realtime.connect(model=LIVETRANSLATE, ws_url=banner.v2_url) as rt,
    ):
        rt.update_session(["text"])
        rt.end_session()
        kinds = [event["type"] for event in rt.events()]
    assert kinds[0] == "session.created" and kinds[-1] == "session.finished"
