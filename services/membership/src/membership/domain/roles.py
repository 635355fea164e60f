"""Roles in a community and who may change them: exactly one owner at all times."""

from typing import Literal

from membership.domain.refusals import Conflict, Forbidden

Role = Literal["owner", "moderator", "member"]
MODERATING: frozenset[Role] = frozenset({"owner", "moderator"})


def moderates(role: Role | None) -> bool:
    """Owners and moderators run admission and moderation."""
    return role in MODERATING


def ensure_moderator(role: Role | None) -> None:
    """Refuse a moderator's action to anyone else."""
    if not moderates(role):
        raise Forbidden("moderator-required", "Only the community's moderators may do this.")


def ensure_owner(role: Role | None) -> None:
    """Refuse an owner's action to anyone else."""
    if role != "owner":
        raise Forbidden("owner-required", "Only the community's owner may do this.")


def ensure_can_discipline(
    actor_role: Role | None, target_role: Role | None, *, self_: bool
) -> None:
    """Moderators act on members; only the owner acts on moderators; nobody on the owner."""
    ensure_moderator(actor_role)
    if self_:
        raise Conflict("not-on-yourself", "You cannot do this to yourself; leave instead.")
    if target_role == "owner":
        raise Forbidden("owner-protected", "The owner cannot be removed or banned.")
    if target_role == "moderator" and actor_role != "owner":
        raise Forbidden("owner-required", "Only the owner may remove or ban a moderator.")


def role_changes(
    *, actor_id: str, actor_role: Role | None, target_id: str, target_role: Role, new_role: Role
) -> list[tuple[str, Role, Role]]:
    """The ``(user, previous, new)`` changes of a promotion, demotion or ownership transfer.

    Only the owner changes roles. Making someone owner transfers ownership: the old owner stays
    on as a moderator, so the community always has exactly one owner.
    """
    ensure_owner(actor_role)
    if target_id == actor_id:
        raise Conflict("not-on-yourself", "Transfer ownership to someone else instead.")
    if target_role == new_role:
        raise Conflict("role-unchanged", f"The member already is {new_role}.")
    if new_role == "owner":
        return [(target_id, target_role, "owner"), (actor_id, "owner", "moderator")]
    return [(target_id, target_role, new_role)]
