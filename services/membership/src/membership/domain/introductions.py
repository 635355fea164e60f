"""Double opt-in introductions and the suggestions that lead to them."""

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from cerchia_chassis.domain.errors import Conflict, Invalid, NotFound
from membership.domain.public_profiles import PublicProfile

IntroductionStatus = Literal["pending", "accepted", "declined"]

_WORD = re.compile(r"[^\W\d_][\w+#-]*", re.UNICODE)
# Words that carry no topic in asks and offers, in the platform's two languages.
_STOPWORDS = frozenset(
    {
        "the", "and", "for", "with", "from", "about", "into", "your", "you", "are", "can",
        "help", "looking", "someone", "some", "how", "who", "che", "per", "con", "del",
        "della", "delle", "dei", "degli", "una", "uno", "gli", "nel", "nella", "sono",
        "cerco", "posso", "aiutare", "aiuto", "come", "chi",
    }
)  # fmt: skip


def keywords(phrase: str) -> frozenset[str]:
    """The topic words of an ask, an offer or an interest."""
    words = (w.casefold() for w in _WORD.findall(phrase))
    return frozenset(w for w in words if len(w) >= 3 and w not in _STOPWORDS)


def _matching(wanted: tuple[str, ...], given: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(w, g) for w in wanted for g in given if keywords(w) & keywords(g)]


@dataclass(frozen=True)
class Suggestion:
    """A member worth meeting, and why."""

    profile: PublicProfile
    community_id: str
    score: int
    reasons: tuple[str, ...]


def suggest(
    me: PublicProfile, candidates: Iterable[tuple[PublicProfile, str]], *, limit: int
) -> list[Suggestion]:
    """Rank people by how their offers meet my asks, my offers meet theirs, and shared interests.

    An offer that answers my ask weighs most (it is what I came for), then a way I can help
    them, then a shared interest. People with nothing in common are not suggested.
    """
    found: list[Suggestion] = []
    for other, community_id in candidates:
        if other.user_id == me.user_id:
            continue
        reasons: list[str] = []
        score = 0
        for ask, offer in _matching(me.asks, other.offers):
            score += 3
            reasons.append(f'Offers "{offer}", which matches your ask "{ask}".')
        for ask, offer in _matching(other.asks, me.offers):
            score += 2
            reasons.append(f'Is looking for "{ask}", which you offer ("{offer}").')
        mine = {i.casefold(): i for i in me.interests}
        for interest in other.interests:
            if interest.casefold() in mine:
                score += 1
                reasons.append(f'Shares your interest in "{mine[interest.casefold()]}".')
        if score:
            found.append(Suggestion(other, community_id, score, tuple(reasons)))
    found.sort(key=lambda s: (-s.score, s.profile.display_name.casefold(), s.profile.user_id))
    return found[:limit]


def pair_key(a: str, b: str) -> str:
    """The same key whoever asked first: one introduction per pair of people."""
    return ":".join(sorted((a, b)))


@dataclass(frozen=True)
class Introduction:
    """A request to connect; contact details are shared only once the recipient accepts."""

    id: str
    community_id: str
    requester_id: str
    recipient_id: str
    note: str
    status: IntroductionStatus
    requested_at: datetime
    answered_at: datetime | None = None

    @classmethod
    def request(
        cls, *, community_id: str, requester_id: str, recipient_id: str, note: str, now: datetime
    ) -> "Introduction":
        """A pending introduction with the requester's note."""
        if requester_id == recipient_id:
            raise Invalid("You cannot ask to be introduced to yourself.", code="not-yourself")
        if not note.strip():
            raise Invalid("Say in a few words why you want to connect.", code="note-required")
        return cls(
            id=str(uuid.uuid4()),
            community_id=community_id,
            requester_id=requester_id,
            recipient_id=recipient_id,
            note=note.strip(),
            status="pending",
            requested_at=now,
        )

    @property
    def pair(self) -> str:
        """The pair of people this introduction is about."""
        return pair_key(self.requester_id, self.recipient_id)

    def involves(self, user_id: str) -> bool:
        """Only the two parties see an introduction."""
        return user_id in (self.requester_id, self.recipient_id)

    def answered(self, *, by: str, accept: bool, now: datetime) -> "Introduction":
        """The recipient's opt-in (or not); the requester cannot answer for them."""
        if not self.involves(by):
            raise NotFound("No such introduction.", code="introduction-not-found")
        if by != self.recipient_id:
            raise Conflict("Only the person asked can answer.", code="recipient-answers")
        if self.status != "pending":
            raise Conflict(
                f"The introduction is already {self.status}.", code="introduction-answered"
            )
        status: IntroductionStatus = "accepted" if accept else "declined"
        return replace(self, status=status, answered_at=now)

    def shares_contacts_with(self, user_id: str) -> bool:
        """Contact details flow both ways only after acceptance."""
        return self.status == "accepted" and self.involves(user_id)
