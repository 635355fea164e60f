"""The membership composition root: every adapter built once from settings."""

from collections.abc import Mapping
from dataclasses import dataclass

from cerchia_chassis.runtime import Chassis
from cerchia_chassis.sealing import SealingKey
from cerchia_chassis.tokens import SigningKey
from membership.adapters.access_tokens import JwtAccessTokens
from membership.adapters.one_time_tokens import MongoOneTimeTokens
from membership.adapters.passwords import Argon2Hasher
from membership.adapters.refresh_tokens import MongoRefreshSessions
from membership.adapters.signing import load_signing_key
from membership.adapters.throttle import MongoAttemptThrottle
from membership.adapters.users import MongoUsers
from membership.community_wiring import (
    COMMUNITY_INDEXES,
    build_community_ports,
    seat_offer_sweeper,
)
from membership.domain.throttling import ThrottlePolicy
from membership.service.account_ports import (
    CommunityMembershipReader,
    ErasureParticipant,
    PersonalDataExporter,
)
from membership.service.community_ports import CommunityPorts
from membership.service.community_privacy import CommunityErasure, CommunityExport
from membership.service.privacy import AccountExporter
from membership.service.verification import EmailVerification
from membership.settings import MembershipSettings


@dataclass(frozen=True)
class Container:
    """What the entrypoints hand to the use cases."""

    chassis: Chassis
    users: MongoUsers
    hasher: Argon2Hasher
    settings: MembershipSettings
    one_time_tokens: MongoOneTimeTokens
    sessions: MongoRefreshSessions
    throttle: MongoAttemptThrottle
    access_tokens: JwtAccessTokens
    verification: EmailVerification
    #: Seals the single-use tokens the emails carry to the notifications service's key.
    sealer: SealingKey
    #: Answers "do these two share a community?" for profile visibility.
    shared_communities: CommunityMembershipReader
    #: Sections of the GDPR export, by name; each area of membership adds its own.
    exporters: Mapping[str, PersonalDataExporter]
    #: Erase their area's personal data inside the account-erasure transaction.
    erasure_participants: tuple[ErasureParticipant, ...]
    #: Communities, admission, roles, waitlist, directory and introductions.
    community: CommunityPorts

    @classmethod
    def build(
        cls, settings: MembershipSettings, *, signing_key: SigningKey | None = None
    ) -> "Container":
        """Wire the service; nothing connects until ``chassis.running()``."""
        chassis = Chassis(
            settings,
            indexes=[
                *MongoUsers.indexes,
                *MongoOneTimeTokens.indexes,
                *MongoRefreshSessions.indexes,
                *MongoAttemptThrottle.indexes,
                *COMMUNITY_INDEXES,
            ],
        )
        users = MongoUsers(chassis.db)
        one_time_tokens = MongoOneTimeTokens(chassis.db)
        sessions = MongoRefreshSessions(chassis.db)
        if settings.token_sealing_key is None:
            raise ValueError(
                "MEMBERSHIP_TOKEN_SEALING_KEY is not set: the notifications service's public "
                "key, to which every emailed token is sealed (python -m cerchia_chassis.sealing)"
            )
        sealer = SealingKey.from_text(settings.token_sealing_key)
        community = build_community_ports(chassis, settings, sealer)
        chassis.add_loop(seat_offer_sweeper(community, settings))
        return cls(
            chassis=chassis,
            users=users,
            hasher=Argon2Hasher(),
            settings=settings,
            one_time_tokens=one_time_tokens,
            sessions=sessions,
            throttle=MongoAttemptThrottle(chassis.db, _throttle_policies(settings)),
            access_tokens=JwtAccessTokens(
                signing_key or load_signing_key(settings),
                issuer=settings.auth_issuer,
                audience=settings.auth_audience,
                ttl=settings.access_token_ttl,
            ),
            verification=EmailVerification(
                tokens=one_time_tokens,
                outbox=chassis.outbox,
                sealer=sealer,
                ttl=settings.email_verification_ttl,
            ),
            sealer=sealer,
            shared_communities=community.memberships,
            exporters={
                "account": AccountExporter(
                    accounts=users, sessions=sessions, tokens=one_time_tokens
                ),
                "communities": CommunityExport(community),
            },
            erasure_participants=(CommunityErasure(community),),
            community=community,
        )


def _throttle_policies(settings: MembershipSettings) -> dict[str, ThrottlePolicy]:
    login, requests = settings.login_window, settings.token_request_window
    return {
        "login-account": ThrottlePolicy(settings.login_account_limit, login, reset_on_success=True),
        "login-ip": ThrottlePolicy(settings.login_ip_limit, login),
        "token-request-account": ThrottlePolicy(settings.token_request_account_limit, requests),
        "token-request-ip": ThrottlePolicy(settings.token_request_ip_limit, requests),
    }
