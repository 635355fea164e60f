"""The service skeleton: one app factory, one container dependency, domain errors as problems.

A service declares what is its own — how to build its container, what it subscribes to, its
routers, and (rarely) statuses for error kinds of its own — and gets the rest the same way as
every other service: the lifespan that builds the container, subscribes, starts the chassis and
stops it; ``container`` for routes; every ``DomainError`` answered as problem+json by kind; a
tampered cursor answered 400 ``invalid-cursor``.
"""

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from cerchia_chassis.domain.cursors import InvalidCursor
from cerchia_chassis.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from cerchia_chassis.http import service_app
from cerchia_chassis.problems import problem_response
from cerchia_chassis.runtime import Chassis
from cerchia_chassis.settings import ServiceSettings

#: The answer to each kind of refusal; the most specific kind wins.
STATUSES: Mapping[type[DomainError], int] = {
    Invalid: 422,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
}
_BEARER = {"WWW-Authenticate": 'Bearer realm="cerchia"'}


class HasChassis(Protocol):
    """A service's container: the composition root, with its chassis."""

    @property
    def chassis(self) -> Chassis: ...


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)
ContainerT = TypeVar("ContainerT", bound=HasChassis)


def status_of(error: DomainError, statuses: Mapping[type[DomainError], int]) -> int:
    """The status of an error: its own kind's, else its nearest ancestor's, else 400."""
    for kind in type(error).__mro__:
        if kind in statuses:
            return statuses[kind]
    return 400


def install_domain_errors(
    app: FastAPI, statuses: Mapping[type[DomainError], int] | None = None
) -> None:
    """Answer every ``DomainError`` (and a tampered cursor) as problem+json."""
    table = {**STATUSES, **(statuses or {})}

    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        status = status_of(exc, table)
        headers = None
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": str(exc.retry_after_s)}
        elif status == 401:
            headers = _BEARER
        return problem_response(
            request, status, code=exc.code, detail=exc.detail, headers=headers, **exc.members
        )

    async def on_invalid_cursor(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(request, 400, code="invalid-cursor", detail=str(exc))

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(InvalidCursor, on_invalid_cursor)


async def container(request: Request) -> Any:
    """The running service's container (routes type it: ``Annotated[Container, Depends(...)]``)."""
    return request.app.state.container


def create_service_app(
    settings: SettingsT,
    *,
    title: str,
    version: str,
    description: str,
    build: Callable[[SettingsT], ContainerT],
    routers: Iterable[APIRouter],
    subscribe: Callable[[ContainerT], None] | None = None,
    statuses: Mapping[type[DomainError], int] | None = None,
    **options: Any,
) -> FastAPI:
    """The service's app: its container is built, subscribed and started in the lifespan.

    ``options`` go to ``cerchia_chassis.http.service_app`` (token verifier, readiness, docs).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = build(settings)
        if subscribe is not None:
            subscribe(built)
        async with built.chassis.running() as chassis:
            app.state.container = built
            app.state.chassis = chassis
            yield

    app = service_app(
        settings,
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        **options,
    )
    install_domain_errors(app, statuses)
    for router in routers:
        app.include_router(router)
    return app
