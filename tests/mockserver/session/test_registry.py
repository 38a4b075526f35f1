"""`FamilyRegistry`: register families, look a model id up, open a session of the right family."""

from __future__ import annotations

import dataclasses

import pytest

from dashscope_realtime_mock.families.asr import FAMILY as ASR_FAMILY
from dashscope_realtime_mock.families.omni import FAMILY as OMNI_FAMILY
from dashscope_realtime_mock.session.registry import FamilyRegistry
from tests.support import ASR, OMNI, OMNI_TURBO


@pytest.fixture
def registry() -> FamilyRegistry:
    """A registry of its own holding the Omni and ASR families."""
    made = FamilyRegistry()
    made.register(OMNI_FAMILY)
    made.register(ASR_FAMILY)
    return made


def test_a_model_id_is_looked_up_to_its_family_and_spec(registry: FamilyRegistry) -> None:
    """A canonical id resolves to its family and its own spec, the id kept as asked."""
    model = registry.lookup(ASR)
    assert model is not None
    assert (model.family.name, model.spec.model_id, model.model_id) == ("asr", ASR, ASR)


def test_a_snapshot_id_resolves_to_its_models_spec_and_stays_a_snapshot(
    registry: FamilyRegistry,
) -> None:
    """A dated snapshot id: the canonical model's spec, the snapshot id kept."""
    snapshot = "qwen-omni-turbo-realtime-2025-05-08"
    model = registry.lookup(snapshot)
    assert model is not None
    assert (model.spec.model_id, model.model_id) == (OMNI_TURBO, snapshot)


@pytest.mark.parametrize("model_id", [None, "", "qwen3-livetranslate-flash-realtime"])
def test_an_unserved_id_looks_up_to_none(registry: FamilyRegistry, model_id: str | None) -> None:
    """None, empty, or a model of a family not registered here: None."""
    assert registry.lookup(model_id) is None


def test_families_come_in_registration_order(registry: FamilyRegistry) -> None:
    """families() and names() list the families as they were registered."""
    assert [f.name for f in registry.families()] == registry.names() == ["omni", "asr"]


def test_supported_models_lists_canonical_ids_then_snapshots(registry: FamilyRegistry) -> None:
    """Canonical ids first, sorted; then the snapshot ids, sorted."""
    served = registry.supported_models()
    canonical = sorted(m.model_id for f in registry.families() for m in f.models)
    assert served[: len(canonical)] == canonical
    assert served[len(canonical) :] == sorted(served[len(canonical) :])
    assert "qwen-omni-turbo-realtime-2025-05-08" in served[len(canonical) :]


def test_a_taken_family_name_is_refused(registry: FamilyRegistry) -> None:
    """Registering a second family named like one already there: ValueError naming it."""
    with pytest.raises(ValueError, match="a family named 'omni' is already registered"):
        registry.register(OMNI_FAMILY)


def test_a_model_id_served_by_another_family_is_refused(registry: FamilyRegistry) -> None:
    """A new family claiming a served model id: ValueError naming the id."""
    impostor = dataclasses.replace(ASR_FAMILY, name="impostor")
    with pytest.raises(ValueError, match=f"already served by another family: {ASR}"):
        registry.register(impostor)


def test_an_unregistered_family_serves_nothing_more(registry: FamilyRegistry) -> None:
    """unregister drops the family and its model ids."""
    registry.unregister("asr")
    assert registry.lookup(ASR) is None and registry.names() == ["omni"]


def test_an_unknown_family_name_raises_key_error_naming_the_known(
    registry: FamilyRegistry,
) -> None:
    """family(name) for a name not registered: KeyError listing the registered ones."""
    with pytest.raises(KeyError, match="unknown family 'echo'; known: omni, asr"):
        registry.family("echo")


def test_a_session_opens_as_its_familys_session_class(registry: FamilyRegistry) -> None:
    """open_session by id builds the family's session class for that model."""
    session = registry.open_session(OMNI)
    assert type(session) is OMNI_FAMILY.session_class
    assert session.model_id == OMNI


def test_opening_an_unserved_model_raises_key_error_listing_the_served(
    registry: FamilyRegistry,
) -> None:
    """open_session for an id no family serves: KeyError naming it and the served ones."""
    with pytest.raises(KeyError, match="model 'nope' is not served; known: "):
        registry.open_session("nope")
