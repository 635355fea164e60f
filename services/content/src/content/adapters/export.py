"""Content's part of a personal-data export: the files and the records each one holds."""

from cerchia_chassis.exports import ExportFile, Within
from cerchia_chassis.mongo import Document
from content.adapters.conversations import BLOCKS, CONVERSATIONS, MESSAGES
from content.adapters.library import COURSES, PROGRESS, RESOURCES
from content.adapters.moderation import FLAGS
from content.adapters.replies import REPLIES
from content.adapters.threads import THREADS
from content.domain.discussions import REACTIONS

#: Other people's ids kept on shared records: not the person's data.
_OTHERS = frozenset({"followers", "reactions", "useful_by", "last_read_at", "search_terms"})


def _reacted(user_id: str) -> Document:
    return {"$or": [{f"reactions.{name}": user_id} for name in REACTIONS]}


def _own_reactions(doc: Document, user_id: str) -> Document:
    reactions = doc.get("reactions") or {}
    return {
        "post_id": doc["_id"],
        "community_id": doc.get("community_id"),
        "thread_id": doc.get("thread_id", doc["_id"]),
        "reactions": [name for name in REACTIONS if user_id in (reactions.get(name) or ())],
    }


FILES: tuple[ExportFile, ...] = (
    ExportFile(
        "threads.json",
        "Discussion threads you started: title, body, community, tags, dates.",
        THREADS,
        lambda user_id: {"author_id": user_id},
        omit=_OTHERS,
    ),
    ExportFile(
        "replies.json",
        "Replies you posted in discussions, with the thread they answer.",
        REPLIES,
        lambda user_id: {"author_id": user_id},
        omit=_OTHERS,
    ),
    ExportFile(
        "thread_reactions.json",
        "Your reactions to threads: the thread and the reactions you gave.",
        THREADS,
        _reacted,
        shape=_own_reactions,
    ),
    ExportFile(
        "reply_reactions.json",
        "Your reactions to replies: the reply, its thread and the reactions you gave.",
        REPLIES,
        _reacted,
        shape=_own_reactions,
    ),
    ExportFile(
        "followed_threads.json",
        "Threads you follow (you are told about their new replies).",
        THREADS,
        lambda user_id: {"followers": user_id},
        shape=lambda doc, _: {"thread_id": doc["_id"], "community_id": doc.get("community_id")},
    ),
    ExportFile(
        "resources.json",
        "Resources you shared in community libraries.",
        RESOURCES,
        lambda user_id: {"author_id": user_id},
        omit=_OTHERS,
    ),
    ExportFile(
        "useful_resources.json",
        "Resources you marked as useful.",
        RESOURCES,
        lambda user_id: {"useful_by": user_id},
        shape=lambda doc, _: {
            "resource_id": doc["_id"],
            "community_id": doc.get("community_id"),
            "title": doc.get("title"),
        },
    ),
    ExportFile(
        "courses.json",
        "Courses you authored.",
        COURSES,
        lambda user_id: {"author_id": user_id},
        omit=_OTHERS,
    ),
    ExportFile(
        "course_progress.json",
        "Your enrolments and progress in courses: lessons completed, dates.",
        PROGRESS,
        lambda user_id: {"user_id": user_id},
    ),
    ExportFile(
        "conversations.json",
        "Your direct-message conversations: who took part, when they began and were last used.",
        CONVERSATIONS,
        lambda user_id: {"participants": user_id},
        omit=_OTHERS,
    ),
    ExportFile(
        "direct_messages.json",
        "The messages of your conversations, those you sent and those you received.",
        MESSAGES,
        lambda user_id: {},
        within=Within(CONVERSATIONS, lambda user_id: {"participants": user_id}, "conversation_id"),
    ),
    ExportFile(
        "blocks.json",
        "Members you blocked.",
        BLOCKS,
        lambda user_id: {"blocker_id": user_id},
    ),
    ExportFile(
        "flags.json",
        "Posts you flagged to the moderators, with your reasons.",
        FLAGS,
        lambda user_id: {"reporter_id": user_id},
    ),
)
