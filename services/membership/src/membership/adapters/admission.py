"""Applications and invitations in MongoDB."""

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from membership.adapters.paging import after_filter
from membership.domain.admission import Answer, Application, ApplicationStatus, Invitation

APPLICATIONS = "applications"
INVITATIONS = "invitations"
_QUEUE_ORDER = [("submitted_at", ASCENDING), ("_id", ASCENDING)]
_INVITATION_ORDER = [("created_at", ASCENDING), ("_id", ASCENDING)]


class MongoApplications:
    """Applications; the queue is a community's pending ones, oldest first."""

    indexes: Sequence[Indexes] = (
        Indexes(
            APPLICATIONS,
            (
                IndexModel(
                    [("community_id", ASCENDING), ("status", ASCENDING), *_QUEUE_ORDER],
                    name="queue",
                ),
                IndexModel("applicant_id", name="applicant"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[APPLICATIONS]

    async def add(self, application: Application, session: Session) -> None:
        """Store a new application."""
        await self._collection.insert_one(_application_document(application), session=session)

    async def get(self, application_id: str, session: Session | None = None) -> Application | None:
        """The application with this id."""
        document = await self._collection.find_one({"_id": application_id}, session=session)
        return None if document is None else _application(document)

    async def save(self, application: Application, session: Session) -> None:
        """Store the application as it is now."""
        await self._collection.replace_one(
            {"_id": application.id}, _application_document(application), session=session
        )

    async def queue(
        self, community_id: str, *, status: ApplicationStatus, after: str | None, limit: int
    ) -> list[Application]:
        """Applications with ``status``, oldest first."""
        query = {
            "community_id": community_id,
            "status": status,
            **await after_filter(self._collection, after, _QUEUE_ORDER),
        }
        cursor = self._collection.find(query).sort(_QUEUE_ORDER).limit(limit)
        return [_application(d) async for d in cursor]

    async def pending(self, community_id: str, session: Session) -> list[Application]:
        """Every pending application of the community, oldest first."""
        cursor = self._collection.find(
            {"community_id": community_id, "status": "pending"}, session=session
        ).sort(_QUEUE_ORDER)
        return [_application(d) async for d in cursor]

    async def of_user(self, user_id: str) -> list[Application]:
        """Every application of a person."""
        cursor = self._collection.find({"applicant_id": user_id}).sort(_QUEUE_ORDER)
        return [_application(d) async for d in cursor]

    async def delete_of_user(self, user_id: str, session: Session) -> None:
        """Forget a person's applications and answers (erasure)."""
        await self._collection.delete_many({"applicant_id": user_id}, session=session)


class MongoInvitations:
    """Invitations, found by the SHA-256 of their token."""

    indexes: Sequence[Indexes] = (
        Indexes(
            INVITATIONS,
            (
                IndexModel("token_hash", unique=True, name="token_unique"),
                IndexModel([("community_id", ASCENDING), *_INVITATION_ORDER], name="community"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[INVITATIONS]

    async def add(self, invitation: Invitation, session: Session) -> None:
        """Store a new invitation."""
        await self._collection.insert_one(_invitation_document(invitation), session=session)

    async def get(self, invitation_id: str, session: Session | None = None) -> Invitation | None:
        """The invitation with this id."""
        document = await self._collection.find_one({"_id": invitation_id}, session=session)
        return None if document is None else _invitation(document)

    async def by_token_hash(self, token_hash: str, session: Session) -> Invitation | None:
        """The invitation whose token hashes to ``token_hash``."""
        document = await self._collection.find_one({"token_hash": token_hash}, session=session)
        return None if document is None else _invitation(document)

    async def save(self, invitation: Invitation, session: Session) -> None:
        """Store the invitation as it is now."""
        await self._collection.replace_one(
            {"_id": invitation.id}, _invitation_document(invitation), session=session
        )

    async def of_community(
        self, community_id: str, *, after: str | None, limit: int
    ) -> list[Invitation]:
        """A community's invitations, oldest first."""
        query = {
            "community_id": community_id,
            **await after_filter(self._collection, after, _INVITATION_ORDER),
        }
        cursor = self._collection.find(query).sort(_INVITATION_ORDER).limit(limit)
        return [_invitation(d) async for d in cursor]


def _application_document(a: Application) -> dict[str, Any]:
    return {
        "_id": a.id,
        "community_id": a.community_id,
        "applicant_id": a.applicant_id,
        "answers": [
            {"question_id": x.question_id, "prompt": x.prompt, "text": x.text} for x in a.answers
        ],
        "code_version": a.code_version,
        "status": a.status,
        "submitted_at": a.submitted_at,
        "decided_at": a.decided_at,
        "decided_by": a.decided_by,
        "reason": a.reason,
    }


def _application(d: Document) -> Application:
    return Application(
        id=d["_id"],
        community_id=d["community_id"],
        applicant_id=d["applicant_id"],
        answers=tuple(
            Answer(question_id=x["question_id"], prompt=x["prompt"], text=x["text"])
            for x in d["answers"]
        ),
        code_version=d["code_version"],
        status=d["status"],
        submitted_at=d["submitted_at"],
        decided_at=d.get("decided_at"),
        decided_by=d.get("decided_by"),
        reason=d.get("reason"),
    )


def _invitation_document(i: Invitation) -> dict[str, Any]:
    return {
        "_id": i.id,
        "community_id": i.community_id,
        "email": i.email,
        "invited_by": i.invited_by,
        "token_hash": i.token_hash,
        "status": i.status,
        "created_at": i.created_at,
        "expires_at": i.expires_at,
        "used_by": i.used_by,
        "closed_at": i.closed_at,
        "kind": i.kind,
        "max_uses": i.max_uses,
        "uses": i.uses,
    }


def _invitation(d: Document) -> Invitation:
    return Invitation(
        id=d["_id"],
        community_id=d["community_id"],
        email=d["email"],
        invited_by=d["invited_by"],
        token_hash=d["token_hash"],
        status=d["status"],
        created_at=d["created_at"],
        expires_at=d["expires_at"],
        used_by=d.get("used_by"),
        closed_at=d.get("closed_at"),
        kind=d.get("kind", "email"),
        max_uses=d.get("max_uses", 1),
        uses=d.get("uses", 1 if d["status"] == "accepted" else 0),
    )
