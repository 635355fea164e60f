"""FastAPI app factory shared by the services: problem+json, health, tracing, trace-id header."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi_offline import FastAPIOffline
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from cerchia_chassis import consistency
from cerchia_chassis.auth import TokenVerifier, document_optional_security, key_set_from_settings
from cerchia_chassis.health import Check, health_router
from cerchia_chassis.metrics import HttpMetrics, configure_metrics, metrics_router
from cerchia_chassis.problems import install_problem_handlers, problem_response
from cerchia_chassis.revocations import RevocationFeed, Revocations
from cerchia_chassis.settings import ServiceSettings
from cerchia_chassis.telemetry import configure_logging, configure_tracing

TRACE_HEADER = "X-Trace-Id"


def service_app(
    settings: ServiceSettings,
    *,
    title: str,
    version: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    description: str = "",
    token_verifier: TokenVerifier | None = None,
    readiness: Callable[[Request], dict[str, Check]] | None = None,
    docs: bool = True,
) -> FastAPI:
    """A FastAPI app with Cerchia's cross-cutting behaviour; routes are added by the service.

    Readiness asks ``readiness(request)`` for its checks, by default the running ``Chassis``
    the lifespan puts on ``app.state.chassis``. Access tokens are verified with
    ``token_verifier``, else against the JWKS the settings name. ``docs`` serves the OpenAPI
    document with Swagger UI and ReDoc from local assets (no CDN); without it the app serves no
    documents of its own (the gateway serves a merged one).
    """
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    provider = configure_tracing(settings.service_name)
    configure_metrics(settings.service_name)
    if docs:
        app: FastAPI = FastAPIOffline(
            title=title, version=version, description=description, lifespan=lifespan
        )
    else:
        app = FastAPI(
            title=title,
            version=version,
            description=description,
            lifespan=lifespan,
            openapi_url=None,
            docs_url=None,
            redoc_url=None,
        )
    install_problem_handlers(app)
    document_optional_security(app)
    if token_verifier is None:
        keys = key_set_from_settings(settings.auth_jwks_url, settings.auth_jwks)
        if keys is not None:
            token_verifier = TokenVerifier(
                keys, issuer=settings.auth_issuer, audience=settings.auth_audience
            )
    app.state.token_verifier = token_verifier
    if token_verifier is not None and settings.auth_revocations:
        _follow_revocations(app, settings, token_verifier)

    def chassis_checks(request: Request) -> dict[str, Check]:
        chassis = getattr(request.app.state, "chassis", None)
        return {} if chassis is None else chassis.readiness_checks()

    app.include_router(health_router(readiness or chassis_checks))
    app.include_router(metrics_router())

    @app.middleware("http")
    async def read_your_writes(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # Wait until this service has applied what the client's token names (the topics it
        # consumes), then answer; the response's token adds what this request wrote.
        incoming = request.headers.get(consistency.HEADER)
        chassis = getattr(request.app.state, "chassis", None)
        if incoming and chassis is not None:
            try:
                wanted = consistency.relevant(
                    consistency.decode_token(incoming), chassis.consumed_topics
                )
            except consistency.InvalidToken:
                wanted = []
            pending = await chassis.positions.wait_for(
                wanted, timeout_s=settings.consistency_wait_s
            )
            if pending:
                return problem_response(
                    request,
                    503,
                    code="not-yet-consistent",
                    detail="This service has not yet caught up with your latest change; "
                    "retry in a moment.",
                    headers={"Retry-After": "1", consistency.HEADER: incoming},
                )
        with consistency.collecting() as produced:
            response = await call_next(request)
        # A proxy (the gateway) passes on the token its upstream answered with: merged too.
        token = consistency.response_token(
            incoming, produced, upstream=response.headers.get(consistency.HEADER)
        )
        if token is not None:
            response.headers[consistency.HEADER] = token
        return response

    @app.middleware("http")
    async def trace_id_header(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            response.headers[TRACE_HEADER] = format(context.trace_id, "032x")
        return response

    app.add_middleware(HttpMetrics)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="health/live,health/ready"
    )
    return app


def _follow_revocations(app: FastAPI, settings: ServiceSettings, verifier: TokenVerifier) -> None:
    """The app answers only once it has read every recent revocation, and keeps reading."""
    revocations = verifier.revocations or Revocations()
    verifier.revocations = revocations
    service_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        async with (
            RevocationFeed(settings.kafka_access, revocations).running(),
            service_lifespan(application) as state,
        ):
            yield state

    app.router.lifespan_context = lifespan


def uvicorn_options(settings: ServiceSettings) -> dict[str, Any]:
    """Options for ``uvicorn.run`` from the service settings (logging stays ours)."""
    return {
        "host": settings.http_host,
        "port": settings.http_port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": True,
        # Always explicit, so uvicorn's own FORWARDED_ALLOW_IPS default (loopback) never applies.
        "forwarded_allow_ips": [str(network) for network in settings.forwarded_allow_ips],
        "timeout_graceful_shutdown": 10,
        # Idle connections are kept well beyond the 5 s after which the callers' pools (the
        # gateway's and the web client's httpx) drop theirs: with equal limits a caller could
        # reuse a connection in the instant the server closes it, and a POST, which is never
        # retried, would fail with a 502.
        "timeout_keep_alive": 75,
    }
