"""The session inspector: `/inspect` shows live and recent sessions as a person would look at them.

A list of sessions (model, start, duration, outcome), and for each one the two-lane event
timeline, the input waveform with the VAD's speech spans, commits and items drawn over it and
the transcripts and answers under it, playback of both audio streams, who answered (which
fixture, and why), and downloads: the session as a fixture, and its raw traffic.

``ServerOptions(watcher=Inspector())`` turns it on; `realtime-mock serve` does unless
``--no-inspector``, and the pytest plugin's ``MockServer(inspect=True)`` does for a test.
"""

from .access import Access
from .store import Limits
from .web import INSPECT_PATH, Inspector

__all__ = ["INSPECT_PATH", "Access", "Inspector", "Limits"]
