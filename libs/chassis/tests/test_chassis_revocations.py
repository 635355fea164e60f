"""Tokens die with their session: the verifier's denylist."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cerchia_chassis.auth import KeySet, RevokedToken, TokenVerifier
from cerchia_chassis.revocations import Revocations
from cerchia_chassis.tokens import SigningKey
from cerchia_contracts.events.membership.sessions import SessionsRevoked, SessionsRevokedV1

pytestmark = pytest.mark.unit

KEY = SigningKey.generate()


def token(user: str, session: str, issued: datetime | None = None) -> str:
    return KEY.sign_access_token(
        user, issuer="i", audience="a", claims={"sid": session}, now=issued
    )


def revoked(user: str, sessions: tuple[str, ...] = (), before: datetime | None = None) -> Any:
    return SessionsRevokedV1.new(
        subject=user,
        data=SessionsRevoked(user_id=user, session_ids=sessions, all_before=before, cause="logout"),
    )


async def test_a_token_of_an_ended_session_is_refused_the_others_pass() -> None:
    revocations = Revocations()
    verifier = TokenVerifier(
        KeySet(static=KEY.jwks()), issuer="i", audience="a", revocations=revocations
    )
    ada_phone, ada_laptop = token("ada", "s-phone"), token("ada", "s-laptop")
    assert (await verifier.verify(ada_phone)).user_id == "ada"
    revocations.apply(revoked("ada", ("s-phone",)))
    with pytest.raises(RevokedToken):
        await verifier.verify(ada_phone)
    assert (await verifier.verify(ada_laptop)).user_id == "ada"


async def test_every_token_issued_before_an_erasure_is_refused() -> None:
    revocations = Revocations()
    verifier = TokenVerifier(
        KeySet(static=KEY.jwks()), issuer="i", audience="a", revocations=revocations
    )
    now = datetime.now(UTC).replace(microsecond=0)
    old = token("bo", "s-1", now - timedelta(minutes=5))
    same_second = token("bo", "s-2", now)
    revocations.apply(revoked("bo", before=now + timedelta(milliseconds=300)))
    for dead in (old, same_second):
        with pytest.raises(RevokedToken):
            await verifier.verify(dead)
    later = token("bo", "s-3", now + timedelta(seconds=2))
    assert (await verifier.verify(later)).user_id == "bo"


def test_revocations_are_forgotten_once_their_tokens_expired() -> None:
    revocations = Revocations(hold=timedelta(seconds=1))
    past = time.time() - 5
    revocations.apply(revoked("cy", ("s-old",)), now=past)
    assert not revocations.revoked(user_id="cy", session_id="s-old", issued_at=past)
