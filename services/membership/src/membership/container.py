"""The membership composition root: every adapter built once from settings."""

from dataclasses import dataclass

from cerchia_chassis.runtime import Chassis
from membership.adapters.passwords import Argon2Hasher
from membership.adapters.users import MongoUsers
from membership.settings import MembershipSettings


@dataclass(frozen=True)
class Container:
    """What the entrypoints hand to the use cases."""

    chassis: Chassis
    users: MongoUsers
    hasher: Argon2Hasher

    @classmethod
    def build(cls, settings: MembershipSettings) -> "Container":
        """Wire the service; nothing connects until ``chassis.running()``."""
        chassis = Chassis(settings, indexes=MongoUsers.indexes)
        return cls(chassis=chassis, users=MongoUsers(chassis.db), hasher=Argon2Hasher())
