"""Folding membership's events into content's view of communities and members.

Events of one community arrive in order, but a redelivery, a DLQ replay or a late event from
another topic must not undo a newer fact. So each fact carries the time it happened: standing
and role apply only if newer than what we hold; code of conduct versions only ever grow; an
archived community stays archived.
"""

from dataclasses import replace
from datetime import UTC, datetime

from content.domain.access import Community, Membership, Standing


def membership_after(
    current: Membership | None,
    *,
    community_id: str,
    user_id: str,
    at: datetime,
    standing: Standing | None = None,
    role: str | None = None,
    accepted_version: int | None = None,
) -> Membership:
    """The membership after one fact happened ``at``."""
    accepted = max(
        current.accepted_code_of_conduct_version if current else 0, accepted_version or 0
    )
    if current is None and standing is None and role is None:
        # Only an acceptance is known so far: remember it, without making anyone a member.
        return Membership(
            community_id=community_id,
            user_id=user_id,
            role="member",
            standing=Standing.LEFT,
            accepted_code_of_conduct_version=accepted,
            as_of=datetime.min.replace(tzinfo=UTC),
        )
    if current is None:
        return Membership(
            community_id=community_id,
            user_id=user_id,
            role=role or "member",
            standing=standing or Standing.ACTIVE,
            accepted_code_of_conduct_version=accepted,
            as_of=at,
        )
    if (standing is None and role is None) or at < current.as_of:
        return replace(current, accepted_code_of_conduct_version=accepted)
    return replace(
        current,
        role=role or current.role,
        standing=standing or current.standing,
        accepted_code_of_conduct_version=accepted,
        as_of=at,
    )


def community_after(
    current: Community | None,
    current_as_of: datetime | None,
    *,
    community_id: str,
    at: datetime,
    name: str | None = None,
    visibility: str | None = None,
    language: str | None = None,
    code_of_conduct_version: int | None = None,
    archived: bool = False,
) -> tuple[Community, datetime | None]:
    """The community (and the time of its descriptive state) after one fact happened ``at``.

    A community first heard of through a non-descriptive fact is private until described.
    """
    base = current or Community(
        id=community_id,
        name="",
        visibility="private",
        language="it",
        archived=False,
        code_of_conduct_version=0,
    )
    version = max(base.code_of_conduct_version, code_of_conduct_version or 0)
    described = name is not None and (current_as_of is None or at >= current_as_of)
    updated = replace(
        base,
        name=name if described and name is not None else base.name,
        visibility=visibility if described and visibility else base.visibility,
        language=language if described and language else base.language,
        archived=base.archived or archived,
        code_of_conduct_version=version,
    )
    return updated, (at if described else current_as_of)
