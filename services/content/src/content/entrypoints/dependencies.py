"""What every route needs: the container, pagination parameters, authors' names, errors."""

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from cerchia_chassis.problems import problem_response
from content.container import Container
from content.domain.errors import (
    Conflict,
    ContentError,
    Forbidden,
    InvalidContent,
    NotFound,
    RateLimited,
)
from content.domain.pages import MAX_LIMIT
from content.entrypoints.responses import PersonOut
from content.service.ports import Ports


def _container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


async def _ports(request: Request) -> Ports:
    return _container(request).ports


#: The use cases' ports, for a route: ``async def route(ports: PortsDep)``.
PortsDep = Annotated[Ports, Depends(_ports)]
Cursor = Annotated[
    str | None, Query(max_length=512, description="Opaque cursor from `next_cursor`.")
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]

_STATUS = {NotFound: 404, Forbidden: 403, Conflict: 409, InvalidContent: 422, RateLimited: 429}


async def people_out(ports: Ports, user_ids: Iterable[str | None]) -> dict[str, PersonOut]:
    """How each author is shown (erased authors are None and shown as a former member)."""
    ids = [user_id for user_id in user_ids if user_id]
    people = await ports.directory.people(ids)
    return {
        user_id: PersonOut(id=user_id, display_name=p.display_name, handle=p.handle)
        for user_id, p in people.items()
    }


async def _on_content_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ContentError)
    status = next((s for kind, s in _STATUS.items() if isinstance(exc, kind)), 400)
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RateLimited) else None
    return problem_response(request, status, code=exc.code, detail=exc.detail, headers=headers)


def install_error_mapping(app: FastAPI) -> None:
    """Domain errors become problem+json with the status their kind implies."""
    app.add_exception_handler(ContentError, _on_content_error)
