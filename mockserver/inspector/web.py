"""`/inspect`: the inspector's page, its JSON API, its update stream and its downloads.

Served by the mock's own application (so it binds where the server binds, 127.0.0.1 by default).
The page is plain HTML, CSS and JavaScript shipped in ``static/``: no build step, no library.
Decoding audio and building exports run in a worker thread, so the sessions being served keep
their pace while a page reads; with no page open, nothing here runs at all.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from aiohttp import web

from ..media.pcm import INPUT_SAMPLE_RATE, OUTPUT_SAMPLE_RATE
from ..transport.keys import OPTIONS_KEY
from .access import (
    COOKIE,
    LOGIN_SUFFIX,
    SECURITY_HEADERS,
    Access,
    Handler,
    cookie_value,
    login_page,
    refusal,
    same_key,
)
from .audio import peaks, wav_bytes
from .bounds import session_notes, store_notes
from .store import Limits, SessionRecord, SessionStore
from .tts import tts_responses
from .views import (
    conversation,
    event_json,
    fixture_name,
    fixture_zip,
    replay_details,
    summary,
    timeline,
    traffic_jsonl,
)

__all__ = ["INSPECT_PATH", "Inspector"]

INSPECT_PATH = "/inspect"
_STATIC = {"inspector.js": "text/javascript", "inspector.css": "text/css"}
_STATIC["tts.js"] = "text/javascript"  # TTS sessions: text in and speech out per response
UPDATE_INTERVAL_S = 0.25  # an open page hears of changes at most this often
KEEPALIVE_S = 15.0
LOGIN_PATH = INSPECT_PATH + LOGIN_SUFFIX


def _static(name: str) -> bytes:
    return (
        resources.files("dashscope_realtime_mock.inspector").joinpath("static", name).read_bytes()
    )


class Inspector(SessionStore):
    """The session inspector: a :class:`~.store.SessionStore` that serves `/inspect`.

    Give it to the server as ``ServerOptions(watcher=Inspector())``; `realtime-mock serve` and
    ``MockServer(inspect=True)`` do.
    """

    def __init__(self, limits: Limits | None = None, access: Access | None = None) -> None:
        super().__init__(limits)
        self.access = access or Access()
        self._closing = False

    def install(self, app: web.Application) -> None:
        """Every route behind :func:`~.access.refusal` (address, Host, key), every answer with
        the security headers."""
        get = self._guarded_get(app)
        get(INSPECT_PATH, self._page)
        get(LOGIN_PATH, self._login_form)
        app.router.add_post(LOGIN_PATH, self._guarded(self._login))
        get(INSPECT_PATH + "/static/{name}", self._asset)
        api = INSPECT_PATH + "/api"
        get(api + "/sessions", self._sessions)
        get(api + "/updates", self._updates)
        one = api + "/sessions/{id}"
        get(one, self._session)
        get(one + "/events/{i}", self._event)
        get(one + "/waveform", self._waveform)
        get(one + "/input.wav", self._input_wav)
        get(one + "/answer.wav", self._answer_wav)
        get(one + "/fixture.zip", self._fixture)
        get(one + "/traffic.jsonl", self._traffic)
        app.on_response_prepare.append(_security_headers)
        get(one + "/tts", self._tts)
        app.on_shutdown.append(self._shutdown)

    def _guarded_get(self, app: web.Application) -> Callable[[str, Handler], None]:
        def add(path: str, handler: Handler) -> None:
            app.router.add_get(path, self._guarded(handler))

        return add

    def _guarded(self, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            refused = refusal(request, self.access, LOGIN_PATH)
            return refused if refused is not None else await handler(request)

        return guarded

    async def _login_form(self, request: web.Request) -> web.Response:
        return login_page(LOGIN_PATH)

    async def _login(self, request: web.Request) -> web.Response:
        """The login form's POST: the right key sets the session cookie and opens the page."""
        api_key = request.app[OPTIONS_KEY].api_key
        if api_key is None:
            raise web.HTTPSeeOther(INSPECT_PATH)
        form = await request.post()
        key = form.get("key")
        if not isinstance(key, str) or not same_key(key, api_key):
            return login_page(LOGIN_PATH, wrong=True)
        response = web.HTTPSeeOther(INSPECT_PATH)
        response.set_cookie(
            COOKIE, cookie_value(api_key), path=INSPECT_PATH, httponly=True, samesite="Strict"
        )
        raise response

    async def _shutdown(self, app: web.Application) -> None:
        self._closing = True
        self.wake_all()

    # ---- pages and the list ------------------------------------------------------------

    async def _page(self, request: web.Request) -> web.Response:
        return web.Response(body=_static("index.html"), content_type="text/html", charset="utf-8")

    async def _asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in _STATIC:
            raise web.HTTPNotFound()
        return web.Response(body=_static(name), content_type=_STATIC[name], charset="utf-8")

    async def _sessions(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "version": self.version,
                "sessions": [summary(r) for r in self.sessions()],
                "not_kept": self.not_kept(),
                "not_kept_notes": store_notes(self),
            }
        )

    def not_kept(self) -> dict[str, int]:
        """What the memory bounds dropped: sessions forgotten, events kept as their type alone."""
        return {
            "sessions_forgotten": self.sessions_forgotten,
            "events_not_kept": sum(r.events_not_kept for r in self.sessions()),
            "events_dropped": sum(r.dropped_events for r in self.sessions()),
        }

    async def _updates(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: `data: VERSION` whenever something changed, at most 4 times a second."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        self.subscribers += 1
        try:
            seen = -1
            while not self._closing:
                if self.version != seen:
                    seen = self.version
                    await response.write(f"data: {seen}\n\n".encode())
                    await asyncio.sleep(UPDATE_INTERVAL_S)
                    continue
                await self.wait_for_change(seen, KEEPALIVE_S)
                if self.version == seen and not self._closing:
                    await response.write(b": keep-alive\n\n")
        except ConnectionResetError:
            pass  # the page was closed
        finally:
            self.subscribers -= 1
        return response

    # ---- one session -------------------------------------------------------------------

    def _record(self, request: web.Request) -> SessionRecord:
        record = self.get(request.match_info["id"])
        if record is None:
            raise web.HTTPNotFound(text="No such session (the inspector keeps the latest ones).")
        return record

    async def _session(self, request: web.Request) -> web.Response:
        record = self._record(request)
        since = _int_query(request, "since", 0)
        body = await asyncio.to_thread(_session_view, record, since)
        # on the loop: the counts it reads grow on the loop
        body["not_kept_notes"] = session_notes(record, self.limits)
        return web.json_response(body)

    async def _event(self, request: web.Request) -> web.Response:
        record = self._record(request)
        i = _int_query(request, None, -1, request.match_info["i"])
        if not 0 <= i < len(record.events):
            raise web.HTTPNotFound(text="No such event.")
        return web.json_response(event_json(record, i), dumps=_dumps)

    async def _waveform(self, request: web.Request) -> web.Response:
        record = self._record(request)
        buckets = min(max(_int_query(request, "buckets", 800), 1), 8000)

        def build() -> dict[str, Any]:
            index = record.audio.update(record.events)
            low, high = peaks(index.input_audio(), buckets)
            return {"duration_ms": index.input_ms, "low": low, "high": high}

        return web.json_response(await asyncio.to_thread(build))

    async def _input_wav(self, request: web.Request) -> web.Response:
        record = self._record(request)

        def build() -> bytes:
            return wav_bytes(record.audio.update(record.events).input_audio(), INPUT_SAMPLE_RATE)

        return web.Response(body=await asyncio.to_thread(build), content_type="audio/wav")

    async def _answer_wav(self, request: web.Request) -> web.Response:
        record = self._record(request)

        def build() -> bytes:
            return wav_bytes(record.audio.update(record.events).output_audio(), OUTPUT_SAMPLE_RATE)

        return web.Response(body=await asyncio.to_thread(build), content_type="audio/wav")

    async def _fixture(self, request: web.Request) -> web.Response:
        record = self._record(request)
        body = await asyncio.to_thread(fixture_zip, record)
        return _download(body, "application/zip", f"{fixture_name(record)}.zip")

    async def _traffic(self, request: web.Request) -> web.Response:
        record = self._record(request)
        body = await asyncio.to_thread(traffic_jsonl, record)
        return _download(body, "application/x-ndjson", f"{record.id}.jsonl")

    async def _tts(self, request: web.Request) -> web.Response:
        """A TTS session's responses: the text that went in, the waveform that came out."""
        record = self._record(request)
        buckets = min(max(_int_query(request, "buckets", 120), 1), 2000)
        body = await asyncio.to_thread(tts_responses, record, buckets)
        return web.json_response({"responses": body})


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer under /inspect (refusals too) gets the inspector's security headers."""
    if request.path == INSPECT_PATH or request.path.startswith(INSPECT_PATH + "/"):
        response.headers.update(SECURITY_HEADERS)


def _session_view(record: SessionRecord, since: int) -> dict[str, Any]:
    """The session page's data: the events from `since` on, and everything drawn from all."""
    index = record.audio.update(record.events)
    return {
        "session": summary(record),
        "replay": replay_details(record),
        "events": timeline(record, index, since),
        "dropped_events": record.dropped_events,
        "events_not_kept": record.events_not_kept,
        "audio_dropped": record.audio_dropped,
        "failures": [{"t": f.t_ms, "kind": f.kind, "message": f.message} for f in record.failures],
        "input_ms": index.input_ms,
        "output_ms": index.output_ms,
        "conversation": conversation(record, index),
    }


def _int_query(request: web.Request, key: str | None, default: int, raw: str | None = None) -> int:
    value = raw if key is None else request.query.get(key)
    try:
        return int(value) if value is not None else default
    except ValueError:
        raise web.HTTPBadRequest(text=f"{key or 'the event number'} must be an integer") from None


def _download(body: bytes, content_type: str, filename: str) -> web.Response:
    return web.Response(
        body=body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
