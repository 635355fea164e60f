"""A world of community ports over in-memory fakes, and the scenarios the use-case tests share."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from cerchia_chassis.testing import FakeOutbox, FakeTransactions
from cerchia_contracts.catalog import AnyEvent
from membership.domain.communities import Community, Details, JoinPolicy, Visibility
from membership.domain.memberships import Membership
from membership.service.admission import join
from membership.service.communities import Changes, Founding, create_community, update_community
from membership.service.community_ports import AdmissionPolicy, CommunityPorts
from services.membership.tests.account_fakes import SEALER
from services.membership.tests.community_fakes import (
    FakeApplications,
    FakeAudit,
    FakeCommunities,
    FakeIntroductions,
    FakeInvitations,
    FakeMemberships,
    FakeProfiles,
    Store,
)

T = TypeVar("T")
CODE = "Be kind, be constructive, no recruiting spam."


@dataclass
class World:
    """The ports over one store, and what the use cases emitted."""

    store: Store
    ports: CommunityPorts
    profiles: FakeProfiles
    outbox: FakeOutbox
    _seen: int = 0

    def state(self) -> dict[str, Any]:
        """A deep copy of everything stored, to prove a refusal wrote nothing."""
        return self.store.snapshot()

    def emitted(self) -> list[type[AnyEvent]]:
        """The types of the events added since the last call, in order."""
        new = self.store.emitted(since=self._seen)
        self._seen = len(self.store.events)
        return new

    def last(self, kind: type[T]) -> T:
        """The latest event of a type."""
        found = [e for e in self.store.events if isinstance(e, kind)]
        assert found, f"no {kind.__name__} emitted"
        return found[-1]

    def standing(self, community_id: str, user_id: str) -> Membership:
        return self.store.memberships[(community_id, user_id)]

    def community(self, community_id: str) -> Community:
        return self.store.communities[community_id]


def world(offer_ttl: timedelta = timedelta(hours=48)) -> World:
    """Fresh ports over an empty store."""
    store = Store()
    profiles = FakeProfiles(store)
    outbox = FakeOutbox(store)
    ports = CommunityPorts(
        transactions=FakeTransactions(store),
        outbox=outbox,
        communities=FakeCommunities(store),
        memberships=FakeMemberships(store),
        applications=FakeApplications(store),
        invitations=FakeInvitations(store),
        audit=FakeAudit(store),
        profiles=profiles,
        introductions=FakeIntroductions(store),
        policy=AdmissionPolicy(seat_offer_ttl=offer_ttl, invitation_ttl=timedelta(days=7)),
        sealer=SEALER,
    )
    return World(store=store, ports=ports, profiles=profiles, outbox=outbox)


async def found(
    w: World,
    owner: str = "owner",
    *,
    capacity: int = 10,
    visibility: Visibility = "public",
    join_policy: JoinPolicy = "open",
) -> Community:
    """A community founded by ``owner`` through the use case."""
    details = Details(
        name="Python a Bologna",
        slug=f"py-{uuid.uuid4().hex[:8]}",
        purpose="Grow as Python developers by reviewing each other's code.",
        audience="Developers around Bologna.",
        tags=("python",),
        language="it",
        visibility=visibility,
        join_policy=join_policy,
    )
    founding = Founding(details=details, capacity=capacity, code_of_conduct=CODE, questions=())
    community, _ = await create_community(founding, founder_id=owner, ports=w.ports)
    w.emitted()  # the scenario's events are not what a test looks at
    return community


async def seat(w: World, community: Community, *users: str) -> None:
    """Admit people through an open, public door, then restore the community's own settings."""
    details = w.community(community.id).details
    owner = w.community(community.id).owner_id
    opened = Changes(join_policy="open", visibility="public")
    await update_community(community.id, opened, actor_id=owner, ports=w.ports)
    for user in users:
        await join(community.id, user_id=user, code_version=1, ports=w.ports)
    restored = Changes(join_policy=details.join_policy, visibility=details.visibility)
    await update_community(community.id, restored, actor_id=owner, ports=w.ports)
    w.emitted()  # the scenario's events are not what a test looks at
