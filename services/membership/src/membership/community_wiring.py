"""Composition of the communities side: its repositories, ports and the seat-offer sweeper."""

from collections.abc import Sequence

from cerchia_chassis.mongo import Indexes
from cerchia_chassis.poller import WakeablePoller
from cerchia_chassis.runtime import Chassis
from membership.adapters.admission import MongoApplications, MongoInvitations
from membership.adapters.audit import MongoAuditLog
from membership.adapters.communities import MongoCommunities
from membership.adapters.introductions import MongoIntroductions
from membership.adapters.members import MongoMemberships
from membership.adapters.users import MongoProfileDirectory
from membership.service.community_ports import AdmissionPolicy, CommunityPorts
from membership.service.ports import TokenSealer
from membership.service.waitlist import expire_offers
from membership.settings import MembershipSettings

COMMUNITY_INDEXES: Sequence[Indexes] = (
    *MongoCommunities.indexes,
    *MongoMemberships.indexes,
    *MongoApplications.indexes,
    *MongoInvitations.indexes,
    *MongoAuditLog.indexes,
    *MongoIntroductions.indexes,
)


def build_community_ports(
    chassis: Chassis, settings: MembershipSettings, sealer: TokenSealer
) -> CommunityPorts:
    """The ports every community use case takes."""
    db = chassis.db
    return CommunityPorts(
        transactions=chassis.transactions,
        outbox=chassis.outbox,
        communities=MongoCommunities(db),
        memberships=MongoMemberships(db),
        applications=MongoApplications(db),
        invitations=MongoInvitations(db),
        audit=MongoAuditLog(db),
        profiles=MongoProfileDirectory(db),
        introductions=MongoIntroductions(db),
        policy=AdmissionPolicy(
            seat_offer_ttl=settings.seat_offer_ttl, invitation_ttl=settings.invitation_ttl
        ),
        sealer=sealer,
    )


def seat_offer_sweeper(ports: CommunityPorts, settings: MembershipSettings) -> WakeablePoller:
    """The background loop that closes lapsed seat offers and passes the seats on.

    The offers live in MongoDB, so a restart loses nothing; every replica may run it.
    """
    batch = settings.seat_offer_sweep_batch

    async def sweep() -> int:
        return await expire_offers(ports=ports, limit=batch)

    return WakeablePoller(
        "seat-offer-sweep",
        sweep,
        interval=settings.seat_offer_sweep_interval_s,
        batch_size=batch,
    )
