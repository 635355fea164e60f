"""What every route takes besides its own parameters: the container, pagination parameters."""

from typing import Annotated

from fastapi import Depends, Query

from cerchia_chassis.domain.cursors import MAX_LIMIT
from cerchia_chassis.service_app import container
from cerchia_chassis.text import Line
from content.container import Container

#: The running service's container, for a route: ``async def route(deps: Deps)``.
Deps = Annotated[Container, Depends(container)]
Cursor = Annotated[
    Line | None, Query(max_length=512, description="Opaque cursor from `next_cursor`.")
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
