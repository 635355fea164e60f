"""The argon2 adapter: hashes made with older parameters still verify and ask to be redone."""

import pytest
from argon2 import PasswordHasher

from membership.adapters.passwords import Argon2Hasher

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"


async def test_a_hash_from_weaker_parameters_verifies_and_needs_a_rehash() -> None:
    weaker = Argon2Hasher(PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))
    current = Argon2Hasher()
    legacy = await weaker.hash(PASSWORD)
    assert await current.verify(legacy, PASSWORD)
    assert current.needs_rehash(legacy)

    fresh = await current.hash(PASSWORD)
    assert not current.needs_rehash(fresh)
    assert await current.verify(fresh, PASSWORD)
    assert not await current.verify(fresh, "wrong password")


def test_a_malformed_hash_is_not_a_rehash_candidate() -> None:
    assert not Argon2Hasher().needs_rehash("not an argon2 hash")
