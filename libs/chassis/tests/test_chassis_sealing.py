"""Secrets sealed to one service open only there, only in their context."""

import pytest

from cerchia_chassis.consumer import PermanentError
from cerchia_chassis.sealing import Opener, OpeningKey, SealingError, SealingKey

pytestmark = pytest.mark.unit


def test_a_sealed_secret_opens_with_the_private_key_in_its_context_only() -> None:
    key = OpeningKey.generate()
    sealed = SealingKey.from_text(key.public_text()).seal("t0k3n", context="verify|user-1")
    assert "t0k3n" not in sealed.model_dump_json()
    assert sealed.key_id == key.public.id
    opener = Opener([key])
    assert opener.open(sealed, context="verify|user-1") == "t0k3n"
    with pytest.raises(SealingError):
        opener.open(sealed, context="verify|user-2")  # moved into another event
    with pytest.raises(SealingError, match="not held"):
        Opener([OpeningKey.generate()]).open(sealed, context="verify|user-1")
    tampered = sealed.model_copy(update={"ciphertext": sealed.ciphertext[:-4] + "AAAA"})
    with pytest.raises(SealingError):
        opener.open(tampered, context="verify|user-1")


def test_a_rotation_keeps_the_previous_key_until_its_tokens_are_gone() -> None:
    old, new = OpeningKey.generate(), OpeningKey.generate()
    before = old.public.seal("sealed-before", context="c")
    after = new.public.seal("sealed-after", context="c")
    opener = Opener.from_text(f"{new.private_text()},{old.private_text()}")
    assert opener.open(before, context="c") == "sealed-before"
    assert opener.open(after, context="c") == "sealed-after"


def test_what_does_not_open_is_dead_lettered_not_retried() -> None:
    assert issubclass(SealingError, PermanentError)
    with pytest.raises(SealingError):
        OpeningKey.from_text("not a key")
    with pytest.raises(SealingError):
        Opener([])
