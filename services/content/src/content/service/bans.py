"""A ban takes effect when it was decided, not when content hears of it.

Membership announces a ban a moment after deciding it; a post the banned person made in that
moment was accepted by content. When the ban arrives, everything the person posted in the
community at or after the ban's time is hidden (not deleted: moderators still see it, and the
moderation log says the ban hid it), and goes out of search.
"""

from dataclasses import replace
from datetime import datetime

from cerchia_chassis.domain.community import MemberChange, Standing
from cerchia_chassis.ports import Session
from cerchia_contracts.events import membership as m
from content.domain import limits
from content.domain.discussions import Reply, Thread, Visibility, new_id
from content.domain.library import Resource
from content.domain.moderation import Action, Decision
from content.service.indexing import index_reply, index_resource, index_thread
from content.service.ports import Ports


def ban_reason(reason: str) -> str:
    """The moderation log's reason for what a ban hid."""
    text = f"Hidden with the ban of its author: {' '.join(reason.split())}"
    return text[: limits.FLAG_REASON_MAX]


async def hide_since_ban(
    ban: m.MemberBanned, change: MemberChange, ports: Ports, session: Session
) -> int:
    """Hide what the banned person posted in the community from the ban's time on, if the ban
    is the standing content now holds (a late ban older than a rejoin hides nothing); return
    how many posts it hid."""
    held = await ports.communities.member(change.community_id, change.user_id, session)
    # Stored times keep milliseconds: a standing as of later than the ban is a newer fact.
    if held is None or held.standing is not Standing.BANNED or held.as_of > change.at:
        return 0
    # Ordered against any post of the person still in flight: one of the two transactions
    # retries, so that post is either refused (banned) or found here.
    await ports.post_log.fence(change.user_id, session)
    community = await ports.communities.community(change.community_id, session)
    language = community.language if community else "en"
    # Stored times keep milliseconds: the ban's own millisecond counts as after it.
    since = change.at.replace(microsecond=change.at.microsecond // 1000 * 1000)
    hidden: list[Thread | Reply | Resource] = []
    for live_thread in await ports.threads.live_by_author_since(
        change.community_id, change.user_id, since, session
    ):
        thread = replace(live_thread, visibility=Visibility.HIDDEN)
        await ports.threads.save(thread, session)
        await index_thread(ports, thread, language, session)
        hidden.append(thread)
    for live_reply in await ports.replies.live_by_author_since(
        change.community_id, change.user_id, since, session
    ):
        reply = replace(live_reply, visibility=Visibility.HIDDEN)
        await ports.replies.save(reply, session)
        thread_of = await ports.threads.get(reply.thread_id, session)
        if thread_of is not None:
            await index_reply(ports, reply, thread_of, language, session)
        hidden.append(reply)
    for live_resource in await ports.library.live_resources_by_author_since(
        change.community_id, change.user_id, since, session
    ):
        resource = replace(live_resource, visibility=Visibility.HIDDEN)
        await ports.library.save_resource(resource, session)
        await index_resource(ports, resource, language, session)
        hidden.append(resource)
    for target in hidden:
        await ports.moderation.record(_decision(ban, target, since), session)
    return len(hidden)


def _decision(ban: m.MemberBanned, target: Thread | Reply | Resource, at: datetime) -> Decision:
    kind = (
        "thread"
        if isinstance(target, Thread)
        else "reply"
        if isinstance(target, Reply)
        else "resource"
    )
    return Decision(
        id=new_id(),
        community_id=ban.community_id,
        target_kind=kind,
        target_id=target.id,
        moderator_id=ban.actor_id,
        action=Action.HIDE,
        reason=ban_reason(ban.reason),
        created_at=at,
    )
