"""`RealtimeClient`: an asyncio client over aiohttp with the official SDK's vocabulary.

    async with RealtimeClient("qwen3-livetranslate-flash-realtime") as rt:   # url from the env
        await rt.update_session(modalities=["text"], translation_language="en")
        await rt.wait_for_update()      # its answer, not an unprompted session.updated
        await rt.append_audio(pcm_bytes)
        async for event in rt:          # or rt.on_event(callback), or await rt.wait_for(type)
            ...
        await rt.end_session()

Events come out as :class:`~client.events.Event` dicts, parsed leniently; with ``strict=True``
each is also validated against `schemas/` and a violation raises. The same code talks to the mock
or to the live service: only the URL differs (:mod:`client.endpoint`). Every failure raises a
:class:`~client.errors.RealtimeClientError`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp

from dashscope_realtime_mock.protocol.streams import TEXT_STREAM_EVENTS

from .endpoint import resolve
from .errors import (
    ConnectError,
    ConnectionClosed,
    EventTimeout,
    HandshakeError,
    RealtimeClientError,
    RealtimeError,
    ServerProtocolError,
)
from .events import Event

__all__ = ["RealtimeClient"]

_UNSET: Any = object()
NO_API_KEY = (
    "no API key: pass api_key= (--api-key to python -m client) or set DASHSCOPE_API_KEY; "
    "the mock accepts any non-empty key"
)
_TEXT_STREAMS = TEXT_STREAM_EVENTS  # for first_text_delay_ms


def _b64(data: bytes | str) -> str:
    return data if isinstance(data, str) else base64.b64encode(data).decode("ascii")


def _parse(data: str) -> Event:
    """One text frame as an Event; ServerProtocolError if it is not a JSON object."""
    try:
        fields = json.loads(data)
    except ValueError as exc:
        raise ServerProtocolError(f"the server sent a text frame that is not JSON: {exc}") from None
    if not isinstance(fields, dict):
        raise ServerProtocolError(f"the server sent JSON that is not an object: {data[:80]!r}")
    return Event(fields)


_ABSENT: Any = object()  # a field the server left out of its echo


def _in_force(session: dict[str, Any], sent: dict[str, Any]) -> bool:
    """Whether the `session` a session.updated shows carries every setting of `sent`.

    A null switches a setting off, and off may be shown as null or by leaving the field out
    (LiveTranslate drops `turn_detection` in manual mode, docs/protocol/events.md §2.2).
    """
    return all(
        session.get(key) is None if value is None else _carries(session.get(key, _ABSENT), value)
        for key, value in sent.items()
    )


def _carries(echoed: Any, sent: Any) -> bool:
    """Whether the server's `echoed` value carries the `sent` one: every key of a sent object
    (the server may add its own: VAD defaults, a transcription model), every element of a
    sent list, equal values otherwise. A null inside a setting asks for a default or for off,
    which the server may show as its default, as null or not at all (ASR's transcription object
    is null by default, docs/protocol/events.md §3.2), so it is carried by anything."""
    if sent is None:
        return True
    if isinstance(sent, dict):
        if isinstance(echoed, dict):
            return all(_carries(echoed.get(key, _ABSENT), value) for key, value in sent.items())
        return echoed in (None, _ABSENT) and all(value is None for value in sent.values())
    if isinstance(sent, list):
        return (
            isinstance(echoed, list)
            and len(echoed) == len(sent)
            and all(map(_carries, echoed, sent))
        )
    return bool(echoed == sent)


class RealtimeClient:
    """One realtime session (one WebSocket). Use as an async context manager."""

    def __init__(
        self,
        model: str,
        *,
        url: str | None = None,
        api_key: str | None = None,
        region: str | None = None,
        strict: bool = False,
        headers: dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.endpoint = resolve(model, url=url, api_key=api_key, region=region)
        self.strict = strict
        self._headers = dict(headers or {})
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None
        self._callbacks: list[Callable[[Event], Any]] = []
        self.events: list[Event] = []  # everything received, in order
        self.session_id: str | None = None
        self.last_response_id: str | None = None
        self.first_text_delay_ms: float | None = (
            None  # of the last response, since response.created
        )
        self.first_audio_delay_ms: float | None = None
        self._response_started = 0.0
        self.close_code: int | None = None
        self._update_sent: dict[str, Any] | None = None  # the last session.update's session

    # ---- connection ---------------------------------------------------------------------

    async def connect(self) -> RealtimeClient:
        """Open the WebSocket.

        Raises HandshakeError with the server's code and message if the upgrade is refused, and
        ConnectError if the endpoint cannot be reached at all.
        """
        if self.endpoint.api_key is None:
            raise HandshakeError(0, "NoApiKey", NO_API_KEY)
        headers = {"Authorization": f"Bearer {self.endpoint.api_key}", **self._headers}
        self._http = http = aiohttp.ClientSession()
        try:
            self._ws = ws = await http.ws_connect(
                self.endpoint.url, headers=headers, max_msg_size=0
            )
        except aiohttp.WSServerHandshakeError as exc:
            error = await self._handshake_error(http, exc, headers)
            await http.close()
            raise error from None
        except aiohttp.ClientConnectionError as exc:
            await http.close()
            raise ConnectError(f"cannot reach {self.endpoint.url}: {exc}") from exc
        except BaseException:
            await http.close()
            raise
        self._reader = asyncio.create_task(self._read(ws))
        return self

    async def _handshake_error(
        self,
        http: aiohttp.ClientSession,
        exc: aiohttp.WSServerHandshakeError,
        headers: dict[str, Any],
    ) -> HandshakeError:
        """The refusal's JSON body ({code, message, request_id}), read by a plain GET of the URL."""
        http_url = self.endpoint.url.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
        body: dict[str, Any] = {}
        with contextlib.suppress(aiohttp.ClientError, ValueError, asyncio.TimeoutError):
            async with http.get(
                http_url, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
            ) as r:
                body = await r.json(content_type=None)
        return HandshakeError(
            exc.status,
            body.get("code"),
            body.get("message") or exc.message,
            body.get("request_id") or (exc.headers.get("x-request-id") if exc.headers else None),
        )

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Move the frames of `ws` (this client's socket) into the queue; None marks the end."""
        try:
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    self._received(_parse(message.data))
                elif message.type == aiohttp.WSMsgType.BINARY:
                    raise ServerProtocolError(
                        "the server sent a binary frame; the protocol has only JSON text frames"
                    )
        finally:
            self.close_code = ws.close_code
            self._queue.put_nowait(None)

    def _received(self, event: Event) -> None:
        if self.strict:
            self._validate(event)
        kind = event.type
        if kind in ("session.created", "session.updated"):
            self.session_id = (event.get("session") or {}).get("id", self.session_id)
        elif kind == "response.created":
            self.last_response_id = (event.get("response") or {}).get("id")
            self._response_started = time.monotonic()
            self.first_text_delay_ms = self.first_audio_delay_ms = None
        elif kind in _TEXT_STREAMS and self.first_text_delay_ms is None and self._response_started:
            self.first_text_delay_ms = (time.monotonic() - self._response_started) * 1000
        elif (
            kind == "response.audio.delta"
            and self.first_audio_delay_ms is None
            and self._response_started
        ):
            self.first_audio_delay_ms = (time.monotonic() - self._response_started) * 1000
        self.events.append(event)
        for callback in self._callbacks:
            callback(event)
        self._queue.put_nowait(event)

    def _validate(self, event: Event) -> None:
        from dashscope_realtime_mock.families import lookup

        model = lookup(self.model)
        if model is None:
            return  # a model the schemas do not know: nothing to check against
        family = model.family
        violations = family.schemas.errors("server", event, family.name)
        if violations:
            raise ServerProtocolError(
                f"strict: {event.type} breaks its schema: {violations[0].message}"
            )

    async def close(self) -> None:
        """Close the socket (code 1000) and stop reading."""
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, ValueError):
                await self._reader
        if self._http is not None:
            await self._http.close()

    async def __aenter__(self) -> RealtimeClient:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- receiving ----------------------------------------------------------------------

    def on_event(self, callback: Callable[[Event], Any]) -> None:
        """Call `callback(event)` for every event received (for those who prefer callbacks)."""
        self._callbacks.append(callback)

    async def recv(self, timeout: float | None = None) -> Event:
        """The next event.

        Raises EventTimeout if none arrives within `timeout` seconds, ConnectionClosed once the
        connection has ended, and ServerProtocolError if the server broke the protocol (see
        :mod:`client.errors`).
        """
        try:
            event = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            raise EventTimeout(f"no event within {timeout:g} s") from None
        if event is None:
            self._queue.put_nowait(None)  # stay closed for later calls
            if self._reader is not None and self._reader.done():
                failure = self._reader.exception()
                if failure is not None:
                    raise failure
            raise ConnectionClosed(self.close_code)
        return event

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            try:
                event = await self.recv()
            except ConnectionClosed:
                return
            yield event
            if event.type == "session.finished":
                return

    async def wait_for(
        self, kind: str, timeout: float = 30, *, raise_on_error: bool = True
    ) -> Event:
        """Receive until an event of `kind`; an `error` event on the way raises RealtimeError.

        Raises EventTimeout if `kind` has not come within `timeout` seconds, and whatever `recv`
        raises.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                event = await self.recv(max(0.0, deadline - loop.time()))
            except EventTimeout:
                raise EventTimeout(f"no {kind} within {timeout:g} s") from None
            if event.type == kind:
                return event
            if raise_on_error and event.is_error:
                raise RealtimeError.from_event(event)

    async def wait_for_update(self, timeout: float = 30) -> Event:
        """Receive until the answer to the last session.update sent: a session.updated whose
        session carries every setting that update sent. Call it before streaming.

        The first session.updated may not be the answer: a server may send one unprompted right
        after session.created, holding the defaults. The answer is told apart by content, and an
        `error` answers an update that was refused (docs/protocol/events.md §1.6). Raises
        RealtimeError for that error, EventTimeout if no answer comes within `timeout` seconds,
        RealtimeClientError if this client has sent no session.update.
        """
        if self._update_sent is None:
            raise RealtimeClientError("wait_for_update: this client has sent no session.update")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                updated = await self.wait_for("session.updated", max(0.0, deadline - loop.time()))
            except EventTimeout:
                raise EventTimeout(
                    f"no session.updated with this client's settings within {timeout:g} s"
                ) from None
            if _in_force(updated.get("session") or {}, self._update_sent):
                return updated

    # ---- client events ------------------------------------------------------------------

    async def send(self, event: dict[str, Any]) -> str:
        """Send a raw event (an event_id is added if missing); returns its event_id.

        Raises ConnectionClosed if the connection is not open.
        """
        if self._ws is None or self._ws.closed:
            raise ConnectionClosed(self.close_code, "not connected")
        event = {"event_id": "event_" + uuid.uuid4().hex, **event}
        await self._ws.send_str(json.dumps(event, ensure_ascii=False))
        if event.get("type") == "session.update":  # what wait_for_update looks for
            self._update_sent = copy.deepcopy(event.get("session") or {})
        event_id: str = event["event_id"]
        return event_id

    async def update_session(
        self,
        *,
        modalities: list[str] | None = None,
        voice: str | None = None,
        input_audio_format: str | None = None,
        output_audio_format: str | None = None,
        sample_rate: int | None = None,
        turn_detection: dict[str, Any] | None = _UNSET,
        translation_language: str | None = None,
        translation_phrases: dict[str, str] | None = None,
        transcription_model: str | None = _UNSET,
        transcription_language: str | None = None,
        corpus_text: str | None = None,
        instructions: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        max_tokens: int | None = None,
        repetition_penalty: float | None = None,
        presence_penalty: float | None = None,
        seed: int | None = None,
        smooth_output: bool | None = None,
        **extra: Any,
    ) -> str:
        """session.update with typed parameters; only what is given is sent.

        `turn_detection=None` selects manual mode; a dict sets VAD parameters. Anything else (new
        or family-specific fields) goes through `**extra` unchanged.
        """
        given: dict[str, Any] = {
            "temperature": temperature,
            "top_p": top_p,
            "top_k": top_k,
            "max_tokens": max_tokens,
            "repetition_penalty": repetition_penalty,
            "presence_penalty": presence_penalty,
            "seed": seed,
            "smooth_output": smooth_output,
            "modalities": modalities,
            "voice": voice,
            "input_audio_format": input_audio_format,
            "output_audio_format": output_audio_format,
            "sample_rate": sample_rate,
            "instructions": instructions,
            "tools": tools,
        }
        session: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if turn_detection is not _UNSET:
            session["turn_detection"] = turn_detection
        if translation_language is not None or translation_phrases is not None:
            translation: dict[str, Any] = {}
            if translation_language is not None:
                translation["language"] = translation_language
            if translation_phrases is not None:
                translation["corpus"] = {"phrases": dict(translation_phrases)}
            session["translation"] = translation
        transcription: dict[str, Any] = {}
        if transcription_model is not _UNSET:
            transcription["model"] = transcription_model
        if transcription_language is not None:
            transcription["language"] = transcription_language
        if corpus_text is not None:
            transcription["corpus"] = {"text": corpus_text}
        if transcription:
            session["input_audio_transcription"] = transcription
        session.update(extra)
        return await self.send({"type": "session.update", "session": session})

    async def append_audio(self, audio: bytes | str) -> str:
        """input_audio_buffer.append: PCM16 bytes (or Opus), or an already base64-encoded string."""
        return await self.send({"type": "input_audio_buffer.append", "audio": _b64(audio)})

    async def append_image(self, image: bytes | str) -> str:
        """input_image_buffer.append: JPEG bytes or base64."""
        return await self.send({"type": "input_image_buffer.append", "image": _b64(image)})

    async def commit(self) -> str:
        return await self.send({"type": "input_audio_buffer.commit"})

    async def clear_appended_audio(self) -> str:
        return await self.send({"type": "input_audio_buffer.clear"})

    async def create_response(
        self, *, instructions: str | None = None, modalities: list[str] | None = None
    ) -> str:
        response = {
            k: v
            for k, v in (("instructions", instructions), ("modalities", modalities))
            if v is not None
        }
        return await self.send(
            {"type": "response.create", **({"response": response} if response else {})}
        )

    async def cancel_response(self) -> str:
        return await self.send({"type": "response.cancel"})

    async def create_item(self, item: dict[str, Any]) -> str:
        return await self.send({"type": "conversation.item.create", "item": item})

    async def end_session(self, timeout: float = 20) -> Event:
        """session.finish, then wait for session.finished.

        Raises RealtimeError if an error comes instead, EventTimeout if nothing does in time.
        """
        await self.send({"type": "session.finish"})
        return await self.wait_for("session.finished", timeout)
