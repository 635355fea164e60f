"""HTTP routes of the resource library: share, browse, read, edit, mark useful, delete."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.text import Line
from content.entrypoints.deps import Cursor, Deps, Limit
from content.entrypoints.schemas import documented, people_out
from content.entrypoints.schemas_resources import (
    EditResourceRequest,
    NewResourceRequest,
    ResourceOut,
    ResourcePage,
    resource_out,
)
from content.service import resources
from content.service.people import names

router = APIRouter(prefix="/api/v1", tags=["library"], responses=documented(401))
_POST = documented(403, 404, 409, 422, 429)
_WRITE = documented(403, 404, 409, 422)
_READ = documented(403, 404, 422)
_PAGE = documented(400, 403, 404, 422)


@router.post(
    "/communities/{community_id}/resources",
    status_code=status.HTTP_201_CREATED,
    response_model=ResourceOut,
    summary="Share a resource",
    responses=_POST,
)
async def share_resource(
    community_id: str,
    body: NewResourceRequest,
    me: CurrentUser,
    deps: Deps,
    response: Response,
) -> ResourceOut:
    """Share a link or a note with the community's library."""
    resource = await resources.share_resource(
        community_id,
        me.user_id,
        resources.NewResource(
            title=body.title,
            kind=body.kind,
            url=str(body.url) if body.url else None,
            description=body.description,
            tags=tuple(body.tags),
        ),
        ports=deps.ports,
    )
    response.headers["Location"] = f"/api/v1/resources/{resource.id}"
    return resource_out(
        resource, user_id=me.user_id, people=people_out(await names([me.user_id], ports=deps.ports))
    )


@router.get(
    "/communities/{community_id}/resources",
    response_model=ResourcePage,
    summary="Browse the library",
    responses=_PAGE,
)
async def list_resources(
    community_id: str,
    *,
    me: CurrentUser,
    deps: Deps,
    cursor: Cursor = None,
    limit: Limit = 20,
    sort: Annotated[Literal["recent", "useful"], Query()] = "recent",
    tag: Annotated[Line | None, Query(max_length=32)] = None,
) -> ResourcePage:
    """Most recent or most useful first, optionally one tag."""
    page = await resources.list_resources(
        community_id, me.user_id, sort=sort, tag=tag, cursor=cursor, limit=limit, ports=deps.ports
    )
    people = people_out(await names([r.author_id for r in page.items], ports=deps.ports))
    return ResourcePage(
        items=[resource_out(r, user_id=me.user_id, people=people) for r in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/resources/{resource_id}",
    response_model=ResourceOut,
    summary="Read a resource",
    responses=_READ,
)
async def get_resource(resource_id: str, me: CurrentUser, deps: Deps) -> ResourceOut:
    """One resource."""
    resource, _ = await resources.readable_resource(resource_id, me.user_id, ports=deps.ports)
    people = people_out(await names([resource.author_id], ports=deps.ports))
    return resource_out(resource, user_id=me.user_id, people=people)


@router.patch(
    "/resources/{resource_id}",
    response_model=ResourceOut,
    summary="Edit a resource",
    responses=_WRITE,
)
async def edit_resource(
    resource_id: str, body: EditResourceRequest, me: CurrentUser, deps: Deps
) -> ResourceOut:
    """The member who shared it edits it; only the fields sent change."""
    edit = resources.ResourceEdit.of(body.model_dump(mode="json", exclude_unset=True))
    resource = await resources.edit_resource(resource_id, me.user_id, edit, ports=deps.ports)
    people = people_out(await names([resource.author_id], ports=deps.ports))
    return resource_out(resource, user_id=me.user_id, people=people)


@router.put(
    "/resources/{resource_id}/useful",
    response_model=ResourceOut,
    summary="Mark a resource useful",
    responses=_WRITE,
)
async def mark_useful(resource_id: str, me: CurrentUser, deps: Deps) -> ResourceOut:
    """Say the resource helped you (once per member)."""
    resource = await resources.mark_useful(resource_id, me.user_id, on=True, ports=deps.ports)
    return resource_out(
        resource,
        user_id=me.user_id,
        people=people_out(await names([resource.author_id], ports=deps.ports)),
    )


@router.delete(
    "/resources/{resource_id}/useful",
    response_model=ResourceOut,
    summary="Withdraw a useful mark",
    responses=_WRITE,
)
async def unmark_useful(resource_id: str, me: CurrentUser, deps: Deps) -> ResourceOut:
    """Take back your useful mark."""
    resource = await resources.mark_useful(resource_id, me.user_id, on=False, ports=deps.ports)
    return resource_out(
        resource,
        user_id=me.user_id,
        people=people_out(await names([resource.author_id], ports=deps.ports)),
    )


@router.delete(
    "/resources/{resource_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a resource",
    responses=_WRITE,
)
async def delete_resource(resource_id: str, me: CurrentUser, deps: Deps) -> None:
    """The author or a moderator deletes (soft delete)."""
    await resources.delete_resource(resource_id, me.user_id, ports=deps.ports)
