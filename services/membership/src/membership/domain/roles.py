"""Roles in a community and who may change them: exactly one owner at all times."""

from typing import Literal

from cerchia_chassis.domain.errors import Conflict, Forbidden

Role = Literal["owner", "moderator", "member"]
MODERATING: frozenset[Role] = frozenset({"owner", "moderator"})


def moderates(role: Role | None) -> bool:
    """Owners and moderators run admission and moderation."""
    return role in MODERATING


def ensure_moderator(role: Role | None) -> None:
    """Refuse a moderator's action to anyone else."""
    if not moderates(role):
        raise Forbidden("Only the community's moderators may do this.", code="moderator-required")


def ensure_owner(role: Role | None) -> None:
    """Refuse an owner's action to anyone else."""
    if role != "owner":
        raise Forbidden("Only the community's owner may do this.", code="owner-required")


def ensure_can_discipline(
    actor_role: Role | None, target_role: Role | None, *, self_: bool
) -> None:
    """Moderators act on members; only the owner acts on moderators; nobody on the owner."""
    ensure_moderator(actor_role)
    if self_:
        raise Conflict("You cannot do this to yourself; leave instead.", code="not-on-yourself")
    if target_role == "owner":
        raise Forbidden("The owner cannot be removed or banned.", code="owner-protected")
    if target_role == "moderator" and actor_role != "owner":
        raise Forbidden("Only the owner may remove or ban a moderator.", code="owner-required")


def role_changes(
    *, actor_id: str, actor_role: Role | None, target_id: str, target_role: Role, new_role: Role
) -> list[tuple[str, Role, Role]]:
    """The ``(user, previous, new)`` changes of a promotion, demotion or ownership transfer.

    Only the owner changes roles. Making someone owner transfers ownership: the old owner stays
    on as a moderator, so the community always has exactly one owner.
    """
    ensure_owner(actor_role)
    if target_id == actor_id:
        raise Conflict("Transfer ownership to someone else instead.", code="not-on-yourself")
    if target_role == new_role:
        raise Conflict(f"The member already is {new_role}.", code="role-unchanged")
    if new_role == "owner":
        return [(target_id, target_role, "owner"), (actor_id, "owner", "moderator")]
    return [(target_id, target_role, new_role)]
