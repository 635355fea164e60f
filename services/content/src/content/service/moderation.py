"""Moderation: members flag content; moderators hide, restore or remove it, audited."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from cerchia_chassis.domain.community import MODERATING_ROLES
from cerchia_chassis.domain.cursors import Page, decode_optional, page_of
from cerchia_chassis.domain.errors import NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.events import content as c
from content.domain import limits
from content.domain.discussions import Reply, Thread, new_id
from content.domain.errors import InvalidContent
from content.domain.library import Resource
from content.domain.moderation import TARGET_KINDS, Action, Decision, Flag, visibility_after
from content.service.access import viewer_in
from content.service.indexing import index_reply, index_resource, index_thread
from content.service.ports import Ports

Target = Thread | Reply | Resource
PAST: dict[Action, c.ModerationAction] = {
    Action.HIDE: "hidden",
    Action.RESTORE: "restored",
    Action.REMOVE: "removed",
}


@dataclass(frozen=True)
class _Located:
    kind: c.ModerationTarget
    target: Target
    thread: Thread | None
    title: str


async def _locate(
    community_id: str, kind: c.ModerationTarget, target_id: str, ports: Ports, session: Session
) -> _Located:
    if kind not in TARGET_KINDS:
        raise InvalidContent(f"Unknown target kind {kind!r}; use one of {', '.join(TARGET_KINDS)}.")
    found: Target | None
    thread: Thread | None = None
    if kind == "thread":
        found = thread = await ports.threads.get(target_id, session)
    elif kind == "reply":
        found = await ports.replies.get(target_id, session)
        if found is not None:
            thread = await ports.threads.get(found.thread_id, session)
            if thread is None or thread.deleted_at is not None:
                found = None
    else:
        found = await ports.library.resource(target_id, session)
    if found is None or found.community_id != community_id or found.deleted_at is not None:
        raise NotFound(f"No such {kind} in this community.")
    title = found.title if isinstance(found, Resource) else (thread.title if thread else "")
    return _Located(kind, found, thread, title)


def _reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned or len(cleaned) > limits.FLAG_REASON_MAX:
        raise InvalidContent(f"Give a reason of 1 to {limits.FLAG_REASON_MAX} characters.")
    return cleaned


async def flag_content(
    community_id: str,
    user_id: str,
    *,
    kind: c.ModerationTarget,
    target_id: str,
    reason: str,
    ports: Ports,
) -> Flag:
    """A reader flags content for the moderators, who are named in the event."""
    now = datetime.now(UTC)
    reason = _reason(reason)

    async def work(session: Session) -> Flag:
        viewer = await viewer_in(ports.communities, community_id, user_id, session)
        viewer.require_post()
        located = await _locate(community_id, kind, target_id, ports, session)
        if not located.target.visible_to(viewer):
            raise NotFound(f"No such {kind} in this community.")
        flag = Flag(
            id=new_id(),
            community_id=community_id,
            target_kind=kind,
            target_id=target_id,
            reporter_id=user_id,
            reason=reason,
            created_at=now,
        )
        await ports.moderation.add_flag(flag, session)
        moderators = await ports.communities.members(
            community_id, roles=MODERATING_ROLES, session=session
        )
        named = tuple(m.user_id for m in moderators)
        await ports.outbox.add(session, _flagged(flag, located, user_id, named))
        return flag

    flag = await ports.transactions.run(work)
    ports.outbox.committed()
    return flag


def _flagged(
    flag: Flag, located: _Located, actor_id: str, moderator_ids: tuple[str, ...]
) -> c.PostFlaggedV1:
    return c.PostFlaggedV1.new(
        subject=flag.community_id,
        time=flag.created_at,
        data=c.PostFlagged(
            community_id=flag.community_id,
            actor_id=actor_id,
            target_kind=located.kind,
            target_id=flag.target_id,
            thread_id=located.thread.id if located.thread else None,
            title=located.title,
            author_id=located.target.author_id,
            flag_id=flag.id,
            reason=flag.reason,
            moderator_ids=moderator_ids,
        ),
    )


async def moderation_queue(
    community_id: str, user_id: str, *, cursor: str | None, limit: int, ports: Ports
) -> Page[Flag]:
    """Open flags, oldest first, for the community's moderators."""
    viewer = await viewer_in(ports.communities, community_id, user_id)
    viewer.require_moderator()
    after = decode_optional(cursor, arity=2)
    flags = await ports.moderation.open_flags(community_id, after=after, limit=limit + 1)
    return page_of(flags, limit, lambda f: (f.created_at, f.id))


async def moderation_log(
    community_id: str, user_id: str, *, cursor: str | None, limit: int, ports: Ports
) -> Page[Decision]:
    """The audit log of decisions, newest first, for the community's moderators."""
    viewer = await viewer_in(ports.communities, community_id, user_id)
    viewer.require_moderator()
    after = decode_optional(cursor, arity=2)
    decisions = await ports.moderation.decisions(community_id, after=after, limit=limit + 1)
    return page_of(decisions, limit, lambda d: (d.created_at, d.id))


async def moderate(
    community_id: str,
    user_id: str,
    *,
    kind: c.ModerationTarget,
    target_id: str,
    action: Action,
    reason: str,
    ports: Ports,
) -> Decision:
    """A moderator hides, restores or removes content with a reason; open flags on it close."""
    now = datetime.now(UTC)
    reason = _reason(reason)

    async def work(session: Session) -> Decision:
        viewer = await viewer_in(ports.communities, community_id, user_id, session)
        viewer.require_moderator()
        located = await _locate(community_id, kind, target_id, ports, session)
        target = located.target
        updated = replace(target, visibility=visibility_after(target.visibility, action))
        await _store(updated, located, viewer.community.language, ports, session)
        flags = await ports.moderation.open_flags_on(target_id, session)
        flag_ids = tuple(f.id for f in flags)
        await ports.moderation.resolve(flag_ids, resolution=PAST[action], at=now, session=session)
        decision = Decision(
            id=new_id(),
            community_id=community_id,
            target_kind=kind,
            target_id=target_id,
            moderator_id=user_id,
            action=action,
            reason=reason,
            created_at=now,
            resolved_flag_ids=flag_ids,
        )
        await ports.moderation.record(decision, session)
        await ports.outbox.add(session, _moderated(decision, located, user_id))
        return decision

    decision = await ports.transactions.run(work)
    ports.outbox.committed()
    return decision


def _moderated(decision: Decision, located: _Located, actor_id: str) -> c.PostModeratedV1:
    return c.PostModeratedV1.new(
        subject=decision.community_id,
        time=decision.created_at,
        data=c.PostModerated(
            community_id=decision.community_id,
            actor_id=actor_id,
            target_kind=located.kind,
            target_id=decision.target_id,
            thread_id=located.thread.id if located.thread else None,
            title=located.title,
            author_id=located.target.author_id,
            action=PAST[decision.action],
            reason=decision.reason,
            resolved_flag_ids=decision.resolved_flag_ids,
        ),
    )


async def _store(
    updated: Target, located: _Located, language: str, ports: Ports, session: Session
) -> None:
    if isinstance(updated, Thread):
        await ports.threads.save(updated, session)
        # A thread takes its replies out of search with it, and brings them back on restore.
        await index_thread(ports, updated, language, session, with_replies=True)
    elif isinstance(updated, Reply):
        await ports.replies.save(updated, session)
        if located.thread is not None:
            await index_reply(ports, updated, located.thread, language, session)
    else:
        await ports.library.save_resource(updated, session)
        await index_resource(ports, updated, language, session)
