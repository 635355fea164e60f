"""One OpenAPI document for the public API, merged from the services' own documents."""

import asyncio
import copy
import re
import time
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from cerchia_chassis.problems import PROBLEM_JSON, PROBLEM_REF, PROBLEM_SCHEMA_NAME, ProblemDetails
from gateway.domain.routes import Access, Upstream, access_for, upstream_for
from gateway.service.openapi_compact import compact_parameters, compact_schema
from gateway.service.ports import SpecSource

Document = dict[str, Any]

BEARER = "bearerAuth"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_COMPONENT_PREFIX = "#/components/"

GATEWAY_RESPONSES: Document = {
    "Unauthorized": "The access token is missing or not valid.",
    "Problem": (
        "Any other refusal or failure, as RFC 9457 problem details; besides those listed, the "
        "gateway may answer 429 (rate limited; retry after `Retry-After` seconds), 413 (body too "
        "large), 502 (a broken answer from the service behind it), 503 (that service is "
        "unavailable, or not yet consistent with your last write; see `Retry-After`) and 504 "
        "(it did not answer in time)."
    ),
}
_DEFAULT = {"$ref": "#/components/responses/Problem"}


def _rename_refs(node: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: renames.get(value, value)
            if key == "$ref" and isinstance(value, str)
            else _rename_refs(value, renames)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node


def _security(access: Access) -> list[dict[str, list[str]]]:
    if access is Access.PUBLIC:
        return []
    if access is Access.OPTIONAL:
        return [{}, {BEARER: []}]
    return [{BEARER: []}]


class _Merger:
    def __init__(self, *, title: str, version: str, description: str) -> None:
        self.document: Document = {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version, "description": description},
            "servers": [{"url": "/"}],
            "paths": {},
            "components": {
                "schemas": {PROBLEM_SCHEMA_NAME: ProblemDetails.model_json_schema()},
                "responses": {
                    name: {"description": text, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}
                    for name, text in GATEWAY_RESPONSES.items()
                },
                "securitySchemes": {
                    BEARER: {
                        "type": "http",
                        "scheme": "bearer",
                        "bearerFormat": "JWT",
                        "description": "Access token from `POST /api/v1/auth/login` (EdDSA).",
                    }
                },
            },
            "tags": [],
        }
        self._operation_ids: set[str] = set()

    def add(self, source: str, document: Document, upstream: Upstream | None) -> None:
        """Add the paths ``upstream`` serves through the gateway (its own when None)."""
        document = _rename_refs(document, self._merge_components(source, document))
        for path, item in document.get("paths", {}).items():
            if upstream_for(path) != upstream or not path.startswith(("/api/", "/.well-known/")):
                continue
            self.document["paths"][path] = self._operations(source, path, item, upstream)
        for name, webhook in document.get("webhooks", {}).items():
            self.document.setdefault("webhooks", {})[name] = webhook
        known = {tag["name"] for tag in self.document["tags"]}
        for tag in document.get("tags", []):
            if isinstance(tag, dict) and tag.get("name") not in known:
                self.document["tags"].append(tag)
                known.add(tag.get("name"))

    def _merge_components(self, source: str, document: Document) -> dict[str, str]:
        # Same name and same definition: shared. Same name, different definition: the
        # service's copy is prefixed with its name and its references follow.
        renames: dict[str, str] = {}
        merged = self.document["components"]
        for section, entries in document.get("components", {}).items():
            if not isinstance(entries, dict) or section == "securitySchemes":
                continue
            target = merged.setdefault(section, {})
            for name, definition in entries.items():
                if name in target and target[name] != definition:
                    renamed = f"{source.capitalize()}{name}"
                    renames[f"{_COMPONENT_PREFIX}{section}/{name}"] = (
                        f"{_COMPONENT_PREFIX}{section}/{renamed}"
                    )
        for section, entries in document.get("components", {}).items():
            if not isinstance(entries, dict) or section == "securitySchemes":
                continue
            target = merged.setdefault(section, {})
            for name, definition in entries.items():
                ref = renames.get(f"{_COMPONENT_PREFIX}{section}/{name}")
                final = name if ref is None else ref.rsplit("/", 1)[1]
                target[final] = _rename_refs(definition, renames)
        return renames

    def _operations(
        self, source: str, path: str, item: Document, upstream: Upstream | None
    ) -> Document:
        item = copy.deepcopy(item)
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            access = access_for(method.upper(), path)
            operation["security"] = _security(access)
            operation_id = operation.get("operationId")
            if isinstance(operation_id, str):
                operation_id = operation["operationId"] = self._short_id(operation_id, path, method)
                if operation_id in self._operation_ids:
                    operation_id = operation["operationId"] = f"{source}_{operation_id}"
                self._operation_ids.add(operation_id)
            responses = operation.setdefault("responses", {})
            if access is Access.TOKEN:
                responses.setdefault("401", {"$ref": "#/components/responses/Unauthorized"})
            for status, response in responses.items():
                # Every error the platform sends is a problem, documented or not.
                if (
                    status[0] in "45"
                    and isinstance(response, dict)
                    and not response.keys()
                    & {
                        "content",
                        "$ref",
                    }
                ):
                    response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
            responses.setdefault("default", _DEFAULT)
            operation["parameters"] = [
                {**parameter, "schema": compact_schema(parameter.get("schema", {}))}
                for parameter in compact_parameters(operation.get("parameters", []))
            ]
            if not operation["parameters"]:
                del operation["parameters"]
            for holder in (operation.get("requestBody", {}), *responses.values()):
                for media in holder.get("content", {}).values():
                    if "schema" in media:
                        media["schema"] = compact_schema(media["schema"])
        return item

    def _short_id(self, operation_id: str, path: str, method: str) -> str:
        # FastAPI's default ids repeat the path and method, as in
        # "read_event_api_v1_events__event_id__get": the function's name alone, while unique.
        suffix = re.sub(r"\W", "_", path) + "_" + method
        short = operation_id.removesuffix(suffix)
        if short and short != operation_id and short not in self._operation_ids:
            return short
        return operation_id

    def share_problem_responses(self) -> None:
        """Keep each distinct problem answer (status and description) once, under
        ``components/responses``: the services repeat the same few hundreds of times."""
        shared: Document = self.document["components"]["responses"]
        names = {
            (_status_of(response), _text_of(response)): name for name, response in shared.items()
        }
        for item in self.document["paths"].values():
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                responses: Document = operation.get("responses", {})
                for status, response in responses.items():
                    if set(response) != {"description", "content"} or response["content"] != {
                        PROBLEM_JSON: {"schema": PROBLEM_REF}
                    }:
                        continue
                    key = (status, response["description"])
                    name = names.get(key)
                    if name is None:
                        name = names[key] = _free_name(status, shared)
                        shared[name] = {**response, "x-status": status}
                    responses[status] = {"$ref": f"{_COMPONENT_PREFIX}responses/{name}"}
        for response in shared.values():
            response.pop("x-status", None)


def _status_of(response: Document) -> str | None:
    status = response.get("x-status")
    return status if isinstance(status, str) else None


def _text_of(response: Document) -> str:
    text = response.get("description")
    return text if isinstance(text, str) else ""


def _free_name(status: str, taken: Document) -> str:
    """``NotFound``, then ``NotFound2``...: a readable name for a shared problem answer."""
    try:
        base = "".join(word.capitalize() for word in HTTPStatus(int(status)).phrase.split())
    except ValueError:
        base = f"Status{status}"
    base = "".join(ch for ch in base if ch.isalnum())
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    return name


def merge_openapi(
    own: Document,
    services: Mapping[Upstream, Document],
    *,
    title: str = "Cerchia API",
    version: str = "1",
    missing: tuple[Upstream, ...] = (),
) -> Document:
    """The public API: the gateway's own routes plus, from each service, the paths the route
    table sends to it, with the bearer scheme declared per the access table."""
    description = (
        "The public API of Cerchia, served by the gateway. Authenticate with "
        "`Authorization: Bearer <access token>`; errors are RFC 9457 problem details."
    )
    if missing:
        description += (
            "\n\nNot included right now (the service did not answer): "
            + ", ".join(sorted(str(u) for u in missing))
            + "."
        )
    merger = _Merger(title=title, version=version, description=description)
    merger.add("gateway", own, None)
    for upstream in Upstream:
        if upstream in services:
            merger.add(str(upstream), services[upstream], upstream)
    merger.share_problem_responses()
    schemas = merger.document["components"]["schemas"]
    for name, schema in schemas.items():
        schemas[name] = compact_schema(schema)
    merger.document["info"]["x-services-missing"] = sorted(str(u) for u in missing)
    return merger.document


class OpenApiCatalog:
    """The merged document, rebuilt at most every ``ttl_s`` seconds (sooner while a service is
    missing); a service that stops answering keeps its last document."""

    def __init__(
        self, source: SpecSource, own: Document, *, ttl_s: float, retry_missing_s: float = 5.0
    ) -> None:
        self._source = source
        self._own = own
        self._ttl = ttl_s
        self._retry_missing = retry_missing_s
        self._last_good: dict[Upstream, Document] = {}
        self._document: Document | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def document(self) -> Document:
        """The current merged document."""
        async with self._lock:
            if self._document is None or time.monotonic() >= self._expires:
                self._document, complete = await self._build()
                self._expires = time.monotonic() + (self._ttl if complete else self._retry_missing)
            return self._document

    async def _build(self) -> tuple[Document, bool]:
        fetched = await asyncio.gather(*(self._source.openapi(u) for u in Upstream))
        for upstream, document in zip(Upstream, fetched, strict=True):
            if document is not None:
                self._last_good[upstream] = document
        missing = tuple(u for u in Upstream if u not in self._last_good)
        merged = merge_openapi(self._own, self._last_good, missing=missing)
        return merged, all(document is not None for document in fetched)
