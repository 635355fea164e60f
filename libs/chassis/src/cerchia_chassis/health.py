"""Liveness and readiness endpoints: ready means the broker and the database answer."""

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

Check = Callable[[], Awaitable[bool]]


def health_router(
    checks: Callable[[Request], dict[str, Check]], *, timeout: float = 2.0
) -> APIRouter:
    """``/health/live`` (the process serves) and ``/health/ready`` (every dependency answers)."""
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live", summary="Liveness: the process serves requests")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/ready",
        summary="Readiness: every dependency answers (503 with per-check status otherwise)",
    )
    async def ready(request: Request) -> JSONResponse:
        named = checks(request)
        results = await asyncio.gather(*(_run(check, timeout) for check in named.values()))
        report = {name: "ok" if ok else "failing" for name, ok in zip(named, results, strict=True)}
        healthy = all(results)
        return JSONResponse(
            {"status": "ok" if healthy else "failing", "checks": report},
            status_code=200 if healthy else 503,
        )

    return router


async def _run(check: Check, limit: float) -> bool:
    try:
        async with asyncio.timeout(limit):
            return await check()
    except Exception:
        return False
