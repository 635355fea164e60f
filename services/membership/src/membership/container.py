"""The membership composition root: every adapter and port bundle built once from settings."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cerchia_chassis.auth import KeySet, TokenVerifier
from cerchia_chassis.poller import WakeablePoller
from cerchia_chassis.runtime import Chassis
from cerchia_chassis.sealing import SealingKey
from cerchia_chassis.tokens import SigningKey
from membership.adapters.access_tokens import JwtAccessTokens
from membership.adapters.admission import MongoApplications, MongoInvitations
from membership.adapters.audit import MongoAuditLog
from membership.adapters.communities import MongoCommunities
from membership.adapters.exports import MongoExports
from membership.adapters.introductions import MongoIntroductions
from membership.adapters.members import MongoMemberships
from membership.adapters.one_time_tokens import MongoOneTimeTokens
from membership.adapters.passwords import Argon2Hasher
from membership.adapters.refresh_tokens import MongoRefreshSessions
from membership.adapters.signing import load_signing_key, published_keys
from membership.adapters.throttle import MongoAttemptThrottle
from membership.adapters.users import MongoProfileDirectory, MongoUsers
from membership.domain.throttling import ThrottlePolicy
from membership.service.account_ports import AccountPolicy, AccountPorts
from membership.service.community_ports import AdmissionPolicy, CommunityPorts
from membership.service.community_privacy import CommunityErasure, CommunityExport
from membership.service.exports import ExportPolicy, ExportPorts, finish_overdue
from membership.service.privacy import AccountExporter
from membership.service.waitlist import expire_offers
from membership.settings import MembershipSettings

INDEXES = (
    *MongoUsers.indexes,
    *MongoOneTimeTokens.indexes,
    *MongoRefreshSessions.indexes,
    *MongoAttemptThrottle.indexes,
    *MongoCommunities.indexes,
    *MongoMemberships.indexes,
    *MongoApplications.indexes,
    *MongoInvitations.indexes,
    *MongoAuditLog.indexes,
    *MongoIntroductions.indexes,
    *MongoExports.indexes,
)


def signing_key(settings: MembershipSettings) -> SigningKey:
    """The key access tokens are signed with: loaded once, for the container and the app."""
    return load_signing_key(settings)


def token_verifier(settings: MembershipSettings, key: SigningKey) -> TokenVerifier:
    """Verifies access tokens against membership's own JWKS (no round trip to itself)."""
    return TokenVerifier(
        KeySet(static=key.jwks(published_keys(settings))),
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
    )


@dataclass(frozen=True)
class Container:
    """What the entrypoints hand to the use cases: one port bundle per area."""

    chassis: Chassis
    settings: MembershipSettings
    #: Accounts, sessions, passwords, profiles and privacy.
    accounts: AccountPorts
    #: Communities, admission, roles, waitlist, directory and introductions.
    community: CommunityPorts
    #: Personal-data exports gathered from every service.
    exports: ExportPorts
    #: Signs access tokens; its public half is the JWKS.
    signing_key: SigningKey
    #: The JWKS: the signing key's public half, then the keys published beside it.
    jwks: dict[str, Any]

    @classmethod
    def build(
        cls, settings: MembershipSettings, *, signing_key: SigningKey | None = None
    ) -> "Container":
        """Wire the service; nothing connects until ``chassis.running()``."""
        if settings.token_sealing_key is None:
            raise ValueError(
                "MEMBERSHIP_TOKEN_SEALING_KEY is not set: the notifications service's public "
                "key, to which every emailed token is sealed (python -m cerchia_chassis.sealing)"
            )
        sealer = SealingKey.from_text(settings.token_sealing_key)
        key = signing_key or load_signing_key(settings)
        chassis = Chassis(settings, indexes=INDEXES)
        community = _community_ports(chassis, settings, sealer)
        chassis.add_loop(seat_offer_sweeper(community, settings))
        chassis.add_loop(search_indexer(MongoCommunities(chassis.db), settings))
        accounts = _account_ports(chassis, settings, sealer, key, community)
        exports = ExportPorts(
            transactions=chassis.transactions,
            outbox=chassis.outbox,
            inbox=chassis.inbox,
            exports=MongoExports(chassis.db),
            exporters=accounts.exporters,
            policy=ExportPolicy(
                wait=settings.export_wait,
                keep_for=settings.export_keep_for,
                contributors=settings.export_contributors,
            ),
        )
        chassis.add_loop(export_finisher(exports, settings))
        return cls(
            chassis=chassis,
            settings=settings,
            accounts=accounts,
            community=community,
            exports=exports,
            signing_key=key,
            jwks=key.jwks(published_keys(settings)),
        )


def _account_ports(
    chassis: Chassis,
    settings: MembershipSettings,
    sealer: SealingKey,
    key: SigningKey,
    community: CommunityPorts,
) -> AccountPorts:
    users = MongoUsers(chassis.db)
    tokens = MongoOneTimeTokens(chassis.db)
    sessions = MongoRefreshSessions(chassis.db)
    erasure = CommunityErasure(community)
    return AccountPorts(
        transactions=chassis.transactions,
        outbox=chassis.outbox,
        accounts=users,
        hasher=Argon2Hasher(),
        throttle=MongoAttemptThrottle(chassis.db, _throttle_policies(settings)),
        tokens=tokens,
        sessions=sessions,
        access_tokens=JwtAccessTokens(
            key,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            ttl=settings.access_token_ttl,
        ),
        sealer=sealer,
        policy=AccountPolicy(
            refresh_ttl=settings.refresh_token_ttl,
            password_reset_ttl=settings.password_reset_ttl,
            email_verification_ttl=settings.email_verification_ttl,
            operators=settings.operator_ids,
        ),
        communities=community.memberships,
        exporters={
            "account": AccountExporter(accounts=users, sessions=sessions, tokens=tokens),
            "communities": CommunityExport(community),
        },
        # An erased person's exports (and the parts other services sent) go with the account.
        erasure=(erasure, MongoExports(chassis.db)),
        forecasters=(erasure,),
    )


def _community_ports(
    chassis: Chassis, settings: MembershipSettings, sealer: SealingKey
) -> CommunityPorts:
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


def export_finisher(ports: ExportPorts, settings: MembershipSettings) -> WakeablePoller:
    """The background loop that finishes, as partial, the exports some service never answered
    (their state is in MongoDB: any replica may run it, a restart loses nothing)."""

    async def finish() -> int:
        return await finish_overdue(ports=ports, now=datetime.now(UTC), limit=50)

    return WakeablePoller(
        "export-deadline",
        finish,
        interval=settings.export_sweep_interval_s,
        batch_size=50,
    )


def search_indexer(communities: MongoCommunities, settings: MembershipSettings) -> WakeablePoller:
    """The background loop that indexes, for discovery, communities stored before it searched
    words (a migration that needs no downtime; idle once every community has its terms)."""

    async def index() -> int:
        return await communities.index_unsearchable(limit=100)

    return WakeablePoller(
        "community-search-index",
        index,
        interval=settings.search_index_interval_s,
        batch_size=100,
    )


def _throttle_policies(settings: MembershipSettings) -> dict[str, ThrottlePolicy]:
    login, requests = settings.login_window, settings.token_request_window
    return {
        "login-account": ThrottlePolicy(settings.login_account_limit, login, reset_on_success=True),
        "login-ip": ThrottlePolicy(settings.login_ip_limit, login),
        "token-request-account": ThrottlePolicy(settings.token_request_account_limit, requests),
        "token-request-ip": ThrottlePolicy(settings.token_request_ip_limit, requests),
        # Emails telling an owner that someone tried to sign up with their address: a budget of
        # their own, so such attempts cannot use up the owner's verification and reset emails.
        "sign-up-attempt-account": ThrottlePolicy(settings.token_request_account_limit, requests),
    }
