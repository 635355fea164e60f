"""Example bodies of the community API's responses, as the OpenAPI document shows them."""

from typing import Any

OWNER = "0b8f5c1e-4a55-4a36-9d0e-2f1c7e0f6a11"
MEMBER = "5f0c2d7a-9b1e-4c3d-8e2f-6a7b8c9d0e1f"
COMMUNITY = "9a1e4b2c-3d5f-4e6a-8b7c-1d2e3f4a5b6c"
APPLICATION = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
INVITATION = "7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b"
OFFER = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
INTRODUCTION = "6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a"
AUDIT_ENTRY = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
CURSOR = "WyIyYTNiNGM1ZC02ZTdmLTRhOGItOWMwZC0xZTJmM2E0YjVjNmQiXQ"
NOW = "2025-05-04T09:30:00Z"
LATER = "2025-05-06T09:30:00Z"

STANDING: dict[str, Any] = {
    "state": "member",
    "role": "moderator",
    "joined_at": NOW,
    "waitlist_position": None,
    "seat_offer_expires_at": None,
    "code_of_conduct_version": 2,
    "code_of_conduct_accepted_at": NOW,
    "must_accept_code_of_conduct": False,
}

COMMUNITY_OUT: dict[str, Any] = {
    "id": COMMUNITY,
    "slug": "python-bologna",
    "name": "Python a Bologna",
    "purpose": "Grow as Python developers by reviewing each other's code every month.",
    "audience": "Developers in and around Bologna, from junior to senior.",
    "tags": ["python", "code review"],
    "language": "it",
    "visibility": "public",
    "join_policy": "application",
    "capacity": 60,
    "member_count": 58,
    "seats_available": 1,
    "owner_id": OWNER,
    "code_of_conduct_version": 2,
    "code_of_conduct": "Be kind, be constructive, no recruiting spam.",
    "screening_questions": [{"id": "why", "prompt": "Why do you want to join?", "required": True}],
    "created_at": "2025-03-01T18:00:00Z",
    "updated_at": NOW,
    "archived_at": None,
    "waitlist_length": 0,
    "my_standing": STANDING,
}

COMMUNITY_PAGE: dict[str, Any] = {
    "items": [{**COMMUNITY_OUT, "waitlist_length": None, "my_standing": None}],
    "next_cursor": "WyJweXRob24tYm9sb2duYSJd",
}

CODE_OF_CONDUCT: dict[str, Any] = {
    "community_id": COMMUNITY,
    "version": 2,
    "text": "Be kind, be constructive, no recruiting spam.",
    "published_at": NOW,
    "accepted_version": 1,
    "accepted_at": "2025-03-02T10:00:00Z",
    "must_accept": True,
}

MY_COMMUNITIES: dict[str, Any] = {"items": [{"community": COMMUNITY_OUT, "standing": STANDING}]}

ADMISSION: dict[str, Any] = {
    "community_id": COMMUNITY,
    "state": "waitlisted",
    "role": None,
    "waitlist_position": 3,
}

APPLICATION_OUT: dict[str, Any] = {
    "id": APPLICATION,
    "community_id": COMMUNITY,
    "applicant_id": MEMBER,
    "answers": [
        {"question_id": "why", "prompt": "Why do you want to join?", "answer": "Code reviews."}
    ],
    "code_of_conduct_version": 2,
    "status": "approved",
    "submitted_at": "2025-05-03T20:15:00Z",
    "decided_at": NOW,
    "reason": "Fits the audience well.",
}

APPLICATION_PAGE: dict[str, Any] = {
    "items": [{**APPLICATION_OUT, "status": "pending", "decided_at": None, "reason": None}],
    "next_cursor": None,
}

INVITATION_OUT: dict[str, Any] = {
    "id": INVITATION,
    "community_id": COMMUNITY,
    "email": "grace@example.org",
    "invited_by": OWNER,
    "status": "pending",
    "created_at": NOW,
    "expires_at": "2025-05-11T09:30:00Z",
    "used_by": None,
    "kind": "email",
    "max_uses": 1,
    "uses": 0,
}

INVITATION_LINK_OUT: dict[str, Any] = {
    **INVITATION_OUT,
    "email": None,
    "kind": "link",
    "max_uses": 20,
    "uses": 0,
    "token": "q3V9bqv0c2hN8m1YqkQm7b3JmVbKcOe2yX6xT4n5s1A",
}

INVITATION_PAGE: dict[str, Any] = {"items": [INVITATION_OUT], "next_cursor": CURSOR}

WAITLIST: dict[str, Any] = {
    "items": [
        {
            "user_id": MEMBER,
            "position": 1,
            "state": "offered",
            "waiting_since": NOW,
            "seat_offer_expires_at": LATER,
        },
        {
            "user_id": OWNER,
            "position": 2,
            "state": "waitlisted",
            "waiting_since": NOW,
            "seat_offer_expires_at": None,
        },
    ]
}

SEAT_OFFER: dict[str, Any] = {
    "community_id": COMMUNITY,
    "offer_id": OFFER,
    "offered_at": NOW,
    "expires_at": LATER,
}

ROLES: dict[str, Any] = {
    "items": [{"user_id": MEMBER, "role": "owner"}, {"user_id": OWNER, "role": "moderator"}]
}

BAN: dict[str, Any] = {
    "community_id": COMMUNITY,
    "user_id": MEMBER,
    "reason": "Harassment of other members.",
    "banned_at": NOW,
}

BAN_LIFTED: dict[str, Any] = {
    "community_id": COMMUNITY,
    "user_id": MEMBER,
    "reason": "Apologised; a second chance.",
    "lifted_at": LATER,
}

AUDIT_PAGE: dict[str, Any] = {
    "items": [
        {
            "id": AUDIT_ENTRY,
            "action": "member_banned",
            "actor_id": OWNER,
            "subject_id": MEMBER,
            "reason": "Harassment of other members.",
            "at": NOW,
            "details": {},
        }
    ],
    "next_cursor": CURSOR,
}

DIRECTORY_PAGE: dict[str, Any] = {
    "items": [
        {
            "user_id": MEMBER,
            "display_name": "Grace Hopper",
            "handle": "grace",
            "headline": "Compilers, and teaching them",
            "city": "Bologna",
            "skills": ["python", "compilers"],
            "interests": ["sailing"],
            "role": "member",
            "joined_at": NOW,
        }
    ],
    "next_cursor": "WyJncmFjZSBob3BwZXIiLCAiNWYwYyJd",
}

PERSON: dict[str, Any] = {
    "user_id": MEMBER,
    "display_name": "Grace Hopper",
    "handle": "grace",
    "headline": "Compilers, and teaching them",
    "skills": ["python", "compilers"],
    "interests": ["sailing"],
}

SUGGESTIONS: dict[str, Any] = {
    "items": [
        {
            "person": PERSON,
            "community_id": COMMUNITY,
            "score": 4,
            "reasons": [
                'Offers "mentoring on compilers", which matches your ask "a compilers mentor".',
                'Shares your interest in "sailing".',
            ],
        }
    ]
}

INTRODUCTION_OUT: dict[str, Any] = {
    "id": INTRODUCTION,
    "community_id": COMMUNITY,
    "requester_id": OWNER,
    "recipient_id": MEMBER,
    "note": "I saw you mentor on compilers; I'd love an hour of your advice.",
    "status": "accepted",
    "requested_at": NOW,
    "answered_at": LATER,
    "other": PERSON,
    "contact": {"email": "grace@example.org", "handle": "grace"},
}

INTRODUCTIONS: dict[str, Any] = {"items": [INTRODUCTION_OUT]}

INVITATION_PREVIEW: dict[str, Any] = {
    "community": COMMUNITY_OUT,
    "kind": "email",
    "expires_at": "2025-05-11T09:30:00Z",
}
