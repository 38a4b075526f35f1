"""The model families the mock serves, and the registry every server reads.

:data:`REGISTRY` holds the built-in families (LiveTranslate, ASR, Omni, Qwen-Audio), each a package here
with its models, session class and `session.update` rules. A family of your own (a toy one in a
test, or a model the mock does not ship) is registered the same way, without editing this
package::

    from dashscope_realtime_mock.families import register_family
    register_family(Family(name="echo", session_class=EchoSession, rules=..., dialect=...,
                           models=(...,), schema_folder=Path("my_schemas"), summary="..."))
"""

from __future__ import annotations

from ..session.base import Session
from ..session.family import Family
from ..session.registry import FamilyRegistry, Model
from . import asr, livetranslate, omni, qwen_audio
from . import tts as tts_family

__all__ = [
    "REGISTRY",
    "families",
    "lookup",
    "open_session",
    "register_family",
    "supported_models",
    "unregister_family",
]

REGISTRY = FamilyRegistry()
for _family in (livetranslate.FAMILY, asr.FAMILY, omni.FAMILY):
    REGISTRY.register(_family)
REGISTRY.register(qwen_audio.FAMILY)
REGISTRY.register(tts_family.FAMILY)


def register_family(family: Family) -> Family:
    """Serve `family` from every server started afterwards (ValueError if it is incomplete)."""
    return REGISTRY.register(family)


def unregister_family(name: str) -> None:
    """Stop serving the family called `name`."""
    REGISTRY.unregister(name)


def families() -> tuple[Family, ...]:
    """The registered families, built-in first."""
    return REGISTRY.families()


def lookup(model_id: str | None) -> Model | None:
    """The model a wire id names (canonical or snapshot), or None."""
    return REGISTRY.lookup(model_id)


def supported_models() -> list[str]:
    """Every model id served, canonical ids first."""
    return REGISTRY.supported_models()


def open_session(model: Model | str, **options: object) -> Session:
    """A session of the right family for `model` (options: responder, rng, behaviour, strict, referee)."""
    return REGISTRY.open_session(model, **options)
