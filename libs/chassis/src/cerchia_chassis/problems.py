"""RFC 9457 problem details for every error a FastAPI service returns."""

import json
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry import trace
from pydantic import BaseModel, Field
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://cerchia.dev/problems/"
PROBLEM_SCHEMA_NAME = "ProblemDetails"
PROBLEM_REF = {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"}


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as every error response carries them (for OpenAPI)."""

    type: str = Field(description="URI naming the problem, e.g. …/problems/validation-error.")
    title: str = Field(description="Short summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this occurrence.")
    instance: str = Field(description="The request path.")
    trace_id: str | None = Field(default=None, description="Trace id, for support requests.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Validation errors (422 only): loc, msg, type."
    )


_DESCRIPTIONS = {
    400: "The request cannot be processed as sent",
    401: "Not authenticated: a valid bearer access token is required",
    403: "Not allowed",
    404: "Not found (or not visible to the caller)",
    409: "Conflicts with the current state",
    413: "The request body is too large",
    422: "The request is not valid",
    429: "Too many requests; see Retry-After",
    503: "A dependency is unavailable; see Retry-After",
}


def problem_responses(
    *statuses: int, descriptions: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for the problem statuses a route may answer.

    The body's schema is a reference to the one ``ProblemDetails`` component the document holds
    (``document_validation_errors_as_problems`` adds it), never a copy per response.
    """
    chosen = {**_DESCRIPTIONS, **(descriptions or {})}
    return {
        status: {"description": chosen[status], "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}
        for status in statuses
    }


class Problem(Exception):
    """An error the API reports as problem+json; ``code`` becomes the problem type URI."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers
        self.extensions = extensions


def problem_response(
    request: Request,
    status: int,
    *,
    code: str,
    detail: str,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """Build a problem+json response for ``request``."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        body["trace_id"] = format(context.trace_id, "032x")
    body.update(jsonable_encoder(extensions))
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(
        request,
        exc.status,
        code=exc.code,
        detail=exc.detail,
        title=exc.title,
        headers=exc.headers,
        **exc.extensions,
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg"), "type": error.get("type")}
        for error in exc.errors()
    ]
    return problem_response(
        request,
        422,
        code="validation-error",
        detail="The request is not valid; see `errors`.",
        errors=errors,
    )


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).description
    code = HTTPStatus(status).phrase.lower().replace(" ", "-")
    return problem_response(request, status, code=code, detail=detail, headers=exc.headers)


async def _on_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        request,
        503,
        code="dependency-unavailable",
        detail="The service's database is unavailable; retry shortly.",
        headers={"Retry-After": "5"},
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, 500, code="internal-error", detail="Something went wrong on our side."
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error response of ``app`` problem+json, and never leak a stack trace."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(ConnectionFailure, _on_database_unavailable)
    app.add_exception_handler(Exception, _on_unexpected)
    document_validation_errors_as_problems(app)


def document_validation_errors_as_problems(app: FastAPI) -> None:
    """Make the OpenAPI document say what the service really sends on 422: problem+json.

    FastAPI documents its own ``HTTPValidationError`` body for every route with input, but
    ``install_problem_handlers`` answers with RFC 9457 problem details.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        problem = problem_responses(422)[422]
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
                documented = responses.get("422")
                if documented is not None and PROBLEM_JSON not in documented.get("content", {}):
                    responses["422"] = {
                        **problem,
                        "description": documented.get("description", problem["description"]),
                    }
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        # Every error answer refers to this one definition.
        components[PROBLEM_SCHEMA_NAME] = ProblemDetails.model_json_schema()
        for name in ("HTTPValidationError", "ValidationError"):
            if f'"#/components/schemas/{name}"' not in json.dumps(
                {**schema, "components": {k: v for k, v in components.items() if k != name}}
            ):
                components.pop(name, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
