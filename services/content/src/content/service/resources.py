"""The resource library: share, edit, list by recency, usefulness or tag; mark useful."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cerchia_chassis.domain.cursors import Page, Position, decode_optional, page_of
from cerchia_chassis.domain.errors import Forbidden, NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.events import content as c
from content.domain import limits
from content.domain.access import Viewer
from content.domain.discussions import new_id
from content.domain.library import Resource, check_kind
from content.domain.markup import Body, render
from content.service.access import viewer_in
from content.service.indexing import index_resource
from content.service.library_ports import ResourceSort
from content.service.ports import Ports
from content.service.posting import check_rate, require_verified

#: What an edit may empty (a resource keeps at least one of them).
CLEARABLE = frozenset({"url", "description"})


@dataclass(frozen=True)
class ResourceEdit:
    """What the member who shared a resource changes; None keeps a field as it is, and
    ``cleared`` names the optional fields to empty (``url``, ``description``)."""

    title: str | None = None
    kind: str | None = None
    url: str | None = None
    description: str | None = None
    tags: tuple[str, ...] | None = None
    cleared: frozenset[str] = frozenset()

    @classmethod
    def of(cls, sent: Mapping[str, Any]) -> "ResourceEdit":
        """The edit a request states by the fields it sent: a field sent as null is emptied
        if it may be (``CLEARABLE``), and kept otherwise."""
        given = {name: value for name, value in sent.items() if value is not None}
        return cls(
            title=given.get("title"),
            kind=given.get("kind"),
            url=given.get("url"),
            description=given.get("description"),
            tags=tuple(given["tags"]) if "tags" in given else None,
            cleared=frozenset(n for n, v in sent.items() if v is None and n in CLEARABLE),
        )

    def applied_to(self, resource: Resource, *, description: Body | None, at: datetime) -> Resource:
        """The resource after this edit (``description`` is the new one, rendered)."""
        kept_description = description or resource.description
        return replace(
            resource,
            title=limits.title(self.title) if self.title is not None else resource.title,
            kind=check_kind(self.kind) if self.kind is not None else resource.kind,
            url=None if "url" in self.cleared else (self.url or resource.url),
            description=None if "description" in self.cleared else kept_description,
            tags=limits.tags(self.tags) if self.tags is not None else resource.tags,
            edited_at=at,
        )


@dataclass(frozen=True)
class NewResource:
    """What a member submits to share a resource."""

    title: str
    kind: str
    url: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()


async def share_resource(
    community_id: str, user_id: str, new: NewResource, *, ports: Ports
) -> Resource:
    """A member shares a resource with the community."""
    now = datetime.now(UTC)
    description = (
        render(new.description, max_length=limits.RESOURCE_DESCRIPTION_MAX, what="description")
        if new.description
        else None
    )
    resource = Resource(
        id=new_id(),
        community_id=community_id,
        author_id=user_id,
        title=limits.title(new.title),
        kind=check_kind(new.kind),
        url=new.url,
        description=description,
        tags=limits.tags(new.tags),
        created_at=now,
    )

    async def work(session: Session) -> None:
        viewer = await viewer_in(ports.communities, community_id, user_id, session)
        viewer.require_post()
        await require_verified(ports, user_id, session)
        await check_rate(ports, user_id, now, session)
        await ports.library.add_resource(resource, session)
        await index_resource(ports, resource, viewer.community.language, session)
        await ports.outbox.add(
            session,
            c.ResourceSharedV1.new(
                subject=community_id,
                time=now,
                data=c.ResourceShared(**resource_fact(resource, user_id)),
            ),
        )

    await ports.transactions.run(work)
    ports.outbox.committed()
    return resource


async def edit_resource(
    resource_id: str, user_id: str, edit: ResourceEdit, *, ports: Ports
) -> Resource:
    """The member who shared a resource edits it; search and the library's followers learn."""
    now = datetime.now(UTC)
    description = (
        render(edit.description, max_length=limits.RESOURCE_DESCRIPTION_MAX, what="description")
        if edit.description is not None
        else None
    )

    async def work(session: Session) -> Resource:
        resource, viewer = await readable_resource(
            resource_id, user_id, ports=ports, session=session
        )
        resource.require_editable_by(viewer)
        edited = edit.applied_to(resource, description=description, at=now)
        await ports.library.save_resource(edited, session)
        await index_resource(ports, edited, viewer.community.language, session)
        await ports.outbox.add(session, _edited(edited, user_id))
        return edited

    resource = await ports.transactions.run(work)
    ports.outbox.committed()
    return resource


def _edited(resource: Resource, actor_id: str) -> c.ResourceEditedV1:
    return c.ResourceEditedV1.new(
        subject=resource.community_id,
        time=resource.edited_at or resource.created_at,
        data=c.ResourceEdited(**resource_fact(resource, actor_id)),
    )


def resource_fact(resource: Resource, actor_id: str) -> dict[str, Any]:
    """The fields the events of a shared or edited resource carry."""
    return {
        "community_id": resource.community_id,
        "actor_id": actor_id,
        "resource_id": resource.id,
        "title": resource.title,
        "kind": resource.kind,
        "url": resource.url,
        "excerpt": resource.description.excerpt() if resource.description else "",
        "tags": resource.tags,
    }


async def readable_resource(
    resource_id: str, user_id: str, *, ports: Ports, session: Session = None
) -> tuple[Resource, Viewer]:
    """The resource and the caller's standing, if the caller may see it."""
    resource = await ports.library.resource(resource_id, session)
    if resource is None:
        raise NotFound("No such resource.")
    viewer = await viewer_in(ports.communities, resource.community_id, user_id, session)
    viewer.require_read()
    if not resource.visible_to(viewer):
        raise NotFound("No such resource.")
    return resource, viewer


def resource_position(resource: Resource, sort: ResourceSort) -> Position:
    """The resource's place in a sort order."""
    if sort == "useful":
        return (len(resource.useful_by), resource.created_at, resource.id)
    return (resource.created_at, resource.id)


async def list_resources(
    community_id: str,
    user_id: str,
    *,
    sort: ResourceSort,
    tag: str | None,
    cursor: str | None,
    limit: int,
    ports: Ports,
) -> Page[Resource]:
    """The library, most useful or most recent first, optionally for one tag."""
    viewer = await viewer_in(ports.communities, community_id, user_id)
    viewer.require_read()
    after = decode_optional(cursor, arity=3 if sort == "useful" else 2)
    found = await ports.library.resources(
        community_id,
        sort=sort,
        after=after,
        limit=limit + 1,
        tag=tag,
        include_hidden=viewer.is_moderator,
    )
    return page_of(found, limit, lambda r: resource_position(r, sort))


async def mark_useful(resource_id: str, user_id: str, *, on: bool, ports: Ports) -> Resource:
    """A member marks (or unmarks) a resource as useful."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Resource:
        resource, viewer = await readable_resource(
            resource_id, user_id, ports=ports, session=session
        )
        viewer.require_post()
        marked = user_id in resource.useful_by
        if marked == on:
            return resource
        useful_by = (
            (*resource.useful_by, user_id)
            if on
            else tuple(u for u in resource.useful_by if u != user_id)
        )
        updated = replace(resource, useful_by=useful_by)
        await ports.library.save_resource(updated, session)
        if on:
            await ports.outbox.add(
                session,
                c.ResourceMarkedUsefulV1.new(
                    subject=resource.community_id,
                    time=now,
                    data=c.ResourceMarkedUseful(
                        community_id=resource.community_id,
                        actor_id=user_id,
                        resource_id=resource.id,
                        title=resource.title,
                        author_id=resource.author_id,
                        useful_count=len(useful_by),
                    ),
                ),
            )
        return updated

    resource = await ports.transactions.run(work)
    ports.outbox.committed()
    return resource


async def delete_resource(resource_id: str, user_id: str, *, ports: Ports) -> None:
    """The author or a moderator deletes a resource (soft)."""
    now = datetime.now(UTC)

    async def work(session: Session) -> None:
        resource, viewer = await readable_resource(
            resource_id, user_id, ports=ports, session=session
        )
        if not (viewer.is_moderator or (viewer.is_member and resource.author_id == user_id)):
            raise Forbidden(
                "Only the author or a moderator can delete this.", code="not-the-author"
            )
        await ports.library.save_resource(replace(resource, deleted_at=now), session)
        await ports.search.drop("resource", resource.id, session)

    await ports.transactions.run(work)
