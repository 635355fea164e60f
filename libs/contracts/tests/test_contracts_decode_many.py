"""Batch decoding of a topic's payloads: one call, same results as one by one, errors kept apart."""

import json

import pytest
from pydantic import ValidationError

from cerchia_contracts.catalog import MEMBERSHIP_COMMUNITIES, MEMBERSHIP_USERS
from cerchia_contracts.events.membership import (
    EmailVerified,
    EmailVerifiedV1,
    MemberJoined,
    MemberJoinedV1,
    UserRegistered,
    UserRegisteredV1,
)

pytestmark = pytest.mark.unit


def registered(user_id: str) -> bytes:
    data = UserRegistered(
        user_id=user_id, email=f"{user_id}@example.org", display_name=user_id, locale="en"
    )
    return UserRegisteredV1.new(subject=user_id, data=data).model_dump_json().encode()


def verified(user_id: str) -> bytes:
    data = EmailVerified(user_id=user_id, email=f"{user_id}@example.org")
    return EmailVerifiedV1.new(subject=user_id, data=data).model_dump_json().encode()


def test_a_good_batch_decodes_like_each_payload_alone() -> None:
    payloads = [registered("a"), verified("a"), registered("b").decode(), verified("b")]
    decoded = MEMBERSHIP_USERS.decode_many(payloads)
    assert decoded == [MEMBERSHIP_USERS.decode(p) for p in payloads]
    assert [type(e) for e in decoded] == [
        UserRegisteredV1,
        EmailVerifiedV1,
        UserRegisteredV1,
        EmailVerifiedV1,
    ]
    assert MEMBERSHIP_USERS.decode_many([]) == []


def test_bad_payloads_get_their_own_error_and_the_good_ones_still_decode() -> None:
    wrong_topic = (
        MemberJoinedV1.new(
            subject="c1",
            data=MemberJoined(
                community_id="c1", user_id="u", role="member", via="open", code_of_conduct_version=1
            ),
        )
        .model_dump_json()
        .encode()
    )
    payloads = [
        registered("a"),
        b"{not json",
        b'{"specversion":"1.0","type":"cerchia.membership.unknown.v1"}',
        registered("b"),
        wrong_topic,
        b"",
        verified("c"),
    ]
    decoded = MEMBERSHIP_USERS.decode_many(payloads)
    assert [isinstance(d, ValidationError) for d in decoded] == [
        False,
        True,
        True,
        False,
        True,
        True,
        False,
    ]
    for payload, result in zip(payloads, decoded, strict=True):
        if isinstance(result, ValidationError):
            with pytest.raises(ValidationError) as alone:
                MEMBERSHIP_USERS.decode(payload)
            assert result.errors() == alone.value.errors()  # same error as decoding it alone
        else:
            assert result == MEMBERSHIP_USERS.decode(payload)
    assert isinstance(MEMBERSHIP_COMMUNITIES.decode_many([wrong_topic])[0], MemberJoinedV1)


def test_payloads_cannot_borrow_each_others_boundaries() -> None:
    # Joined into one JSON array these would be three valid events; alone, none of them is.
    fields = json.loads(registered("a"))
    del fields["subject"]
    head, tail = json.dumps(fields)[:-1] + ',"subject":"', '"}'  # subject becomes ","
    two_in_one = (registered("b") + b"," + registered("c")).decode()
    joined = json.loads("[" + ",".join([head, tail, two_in_one]) + "]")
    assert len([MEMBERSHIP_USERS.adapter.validate_python(item) for item in joined]) == 3
    decoded = MEMBERSHIP_USERS.decode_many([head, tail, two_in_one])
    assert all(isinstance(d, ValidationError) for d in decoded)
