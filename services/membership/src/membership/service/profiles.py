"""Reading and editing profiles, with the visibility each owner chose."""

from collections.abc import Mapping
from typing import Any

from cerchia_chassis.ports import Session
from cerchia_contracts.events.membership import ProfileUpdated, ProfileUpdatedV1
from membership.domain.account_errors import ProfileRestricted, UserNotFound
from membership.domain.profiles import can_view, edited
from membership.domain.users import User
from membership.service.account_ports import AccountPorts

#: Fields that live on the account rather than on the profile.
ACCOUNT_FIELDS = frozenset({"display_name", "locale"})


async def my_profile(user_id: str, *, ports: AccountPorts) -> User:
    """The caller's account and profile; raise UserNotFound."""
    user = await ports.accounts.by_id(user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user


async def update_profile(
    user_id: str,
    changes: Mapping[str, Any],
    *,
    ports: AccountPorts,
) -> User:
    """Apply ``changes`` (only the fields given); raise InvalidProfile, HandleTaken, UserNotFound.

    The handle is claimed in the same transaction, so two people racing for it cannot both win.
    """
    account_changes = {k: v for k, v in changes.items() if k in ACCOUNT_FIELDS}
    profile_changes = {k: v for k, v in changes.items() if k not in ACCOUNT_FIELDS}

    accounts = ports.accounts

    async def work(session: Session) -> tuple[User, bool]:
        user = await accounts.by_id(user_id, session)
        if user is None:
            raise UserNotFound(user_id)
        updated = user.renamed(**account_changes).with_profile(
            edited(user.profile, profile_changes)
        )
        if updated == user:
            return user, False
        old_handle, new_handle = user.profile.handle, updated.profile.handle
        if new_handle != old_handle:
            if new_handle is not None:
                await accounts.claim_handle(new_handle, user_id, session)
            if old_handle is not None:
                await accounts.release_handle(old_handle, session)
        await accounts.save(updated, session)
        await ports.outbox.add(session, profile_updated(updated))
        return updated, True

    user, changed = await ports.transactions.run(work)
    if changed:
        ports.outbox.committed()
    return user


async def view_profile(
    viewer_id: str,
    owner_id: str,
    *,
    ports: AccountPorts,
) -> User:
    """``owner_id``'s profile as ``viewer_id`` may see it; raise UserNotFound, ProfileRestricted."""
    owner = await ports.accounts.by_id(owner_id)
    if owner is None:
        raise UserNotFound(owner_id)
    visibility = owner.profile.visibility
    shared = (
        viewer_id != owner_id
        and visibility == "communities"
        and await ports.communities.shares_community(viewer_id, owner_id)
    )
    if not can_view(
        viewer_id=viewer_id, owner_id=owner_id, visibility=visibility, share_a_community=shared
    ):
        raise ProfileRestricted
    return owner


def profile_updated(user: User) -> ProfileUpdatedV1:
    """The full current profile, for projections in other services."""
    return ProfileUpdatedV1.new(
        subject=user.id,
        data=ProfileUpdated(
            user_id=user.id,
            email=user.email,
            display_name=user.display_name,
            handle=user.profile.handle,
            locale=user.locale,
            timezone=user.profile.timezone,
            headline=user.profile.headline,
            city=user.profile.city,
            skills=user.profile.skills,
            interests=user.profile.interests,
        ),
    )
