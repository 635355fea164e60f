"""In-memory stand-ins of the chassis's ports, for unit tests of services' use cases.

A service's fakes keep their state on one ``MemoryStore`` (a subclass with the service's
collections). ``FakeTransactions`` runs a unit of work all or nothing: when it raises, the whole
store — every fake's state, the events the outbox took and the inbox records — is put back as it
was, so a test can prove that a refused command wrote nothing. The outbox and the inbox write
through the same store, so they roll back with it.

It also finds, from an app's routes, every request model and string query parameter, and checks
each text field refuses control characters (``cerchia_chassis.text``): a new field is covered.
"""

import contextvars
import copy
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Literal, TypeVar, get_args, get_origin

import annotated_types
from fastapi import FastAPI
from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ValidationError

from cerchia_chassis.auth import KeySet, TokenVerifier
from cerchia_chassis.domain.community import (
    Change,
    CommunityChange,
    CommunityState,
    MemberState,
    changes_of,
)
from cerchia_chassis.tokens import SigningKey
from cerchia_contracts.catalog import AnyEvent

T = TypeVar("T")

_inside: contextvars.ContextVar[bool] = contextvars.ContextVar("fake_transaction", default=False)


@dataclass
class MemoryStore:
    """The state of a service's fakes; subclass it with the service's own collections."""

    #: Events the outbox took, in order.
    events: list[AnyEvent] = field(default_factory=list)
    #: People whose keys the outbox destroyed (erasure), in order.
    forgotten_people: list[str] = field(default_factory=list)
    #: (consumer, event id) pairs the inbox applied.
    processed: set[tuple[str, str]] = field(default_factory=set)

    def emitted(self, *, since: int = 0) -> list[type[AnyEvent]]:
        """The kinds of the events written (from position ``since``)."""
        return [type(event) for event in self.events[since:]]

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of every field (what a rollback restores)."""
        return copy.deepcopy(self.__dict__)

    def restore(self, saved: dict[str, Any]) -> None:
        """Put the store back as it was when ``saved`` was taken."""
        self.__dict__.clear()
        self.__dict__.update(saved)


class FakeTransactions:
    """All or nothing over a ``MemoryStore``; a nested unit of work joins the outer one."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.runs = 0

    async def run(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Run ``work`` with a session stand-in; restore the store if it raises."""
        if _inside.get():
            return await work(object())
        saved = self.store.snapshot()
        token = _inside.set(True)
        self.runs += 1
        try:
            return await work(object())
        except BaseException:
            self.store.restore(saved)
            raise
        finally:
            _inside.reset(token)


class FakeOutbox:
    """Takes events into the store (rolled back with it); counts commits."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.commits = 0

    async def add(self, session: Any, *events: AnyEvent) -> None:
        """Record the events with the unit of work."""
        self.store.events.extend(events)

    def committed(self) -> None:
        """The relay would be woken."""
        self.commits += 1

    async def forget_person(self, session: Any, person_id: str) -> None:
        """Remember whose keys were destroyed."""
        self.store.forgotten_people.append(person_id)

    async def observe(self, topic: str, key: str) -> None:
        """Reads report what they showed; nothing to keep in memory."""


class FakeInbox:
    """``Inbox.process_once`` over the store: each event's effect runs once per consumer, in a
    unit of work with its record (a failed effect leaves no record)."""

    def __init__(self, store: MemoryStore, transactions: FakeTransactions | None = None) -> None:
        self.store = store
        self.transactions = transactions or FakeTransactions(store)

    async def process_once(
        self, *, consumer: str, event_id: str, effect: Callable[[Any], Awaitable[None]]
    ) -> bool:
        """Apply ``effect`` unless this consumer already did for this event; True if applied."""
        if (consumer, event_id) in self.store.processed:
            return False

        async def work(session: Any) -> None:
            await effect(session)
            self.store.processed.add((consumer, event_id))

        await self.transactions.run(work)
        return True


class InMemoryInbox(FakeInbox):
    """A ``FakeInbox`` over a store of its own (for tests that need nothing else)."""

    def __init__(self) -> None:
        super().__init__(MemoryStore())

    @property
    def seen(self) -> set[str]:
        """The event ids applied (by any consumer)."""
        return {event_id for _, event_id in self.store.processed}


@dataclass
class CommunityStore(MemoryStore):
    """A store with the community projection's collections (subclass it further)."""

    communities: dict[str, CommunityState] = field(default_factory=dict)
    memberships: dict[tuple[str, str], MemberState] = field(default_factory=dict)


class FakeCommunityProjection:
    """``CommunityProjection`` in memory: membership's facts folded by the same rules."""

    def __init__(self, store: CommunityStore) -> None:
        self.store = store

    async def apply(self, event: AnyEvent, session: Any) -> list[Change]:
        """Fold one event; return the changes it stated."""
        changes = changes_of(event)
        for change in changes:
            if isinstance(change, CommunityChange):
                held = self.store.communities.get(change.community_id)
                self.store.communities[change.community_id] = change.applied_to(held)
            else:
                key = (change.community_id, change.user_id)
                self.store.memberships[key] = change.applied_to(self.store.memberships.get(key))
        return changes

    async def community(self, community_id: str, session: Any = None) -> CommunityState | None:
        """The community, if announced."""
        return self.store.communities.get(community_id)

    async def communities(self, ids: Iterable[str]) -> dict[str, CommunityState]:
        """The announced communities among ``ids``."""
        return {i: self.store.communities[i] for i in ids if i in self.store.communities}

    async def member(
        self, community_id: str, user_id: str, session: Any = None
    ) -> MemberState | None:
        """The person's place, whatever their standing."""
        return self.store.memberships.get((community_id, user_id))

    async def members(
        self, community_id: str, *, roles: Iterable[str] | None = None, session: Any = None
    ) -> list[MemberState]:
        """The active members (with one of ``roles``)."""
        wanted = None if roles is None else set(roles)
        return sorted(
            (
                m
                for (c, _), m in self.store.memberships.items()
                if c == community_id and m.active and (wanted is None or m.role in wanted)
            ),
            key=lambda m: m.user_id,
        )

    async def roles(
        self, community_id: str, user_ids: Iterable[str], session: Any = None
    ) -> dict[str, str]:
        """Roles of the active members among ``user_ids``."""
        held = (self.store.memberships.get((community_id, u)) for u in user_ids)
        return {m.user_id: m.role for m in held if m is not None and m.active}

    async def memberships_of(
        self, user_id: str, *, active: bool = True, session: Any = None
    ) -> list[MemberState]:
        """The person's places."""
        return sorted(
            (
                m
                for m in self.store.memberships.values()
                if m.user_id == user_id and (m.active or not active)
            ),
            key=lambda m: m.community_id,
        )

    async def forget_user(self, user_id: str, session: Any) -> None:
        """Erasure."""
        for key in [k for k in self.store.memberships if k[1] == user_id]:
            del self.store.memberships[key]


# --- Text fields of requests (``cerchia_chassis.text``) ---------------------------------------

#: What every text field of a request must refuse: NUL, an escape sequence, backspace, DEL.
CONTROL_SAMPLES = ("\x00", "\x1b[2J", "\x08", "\x7f")


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def _api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) for every API route, those of included routers too."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            yield context.path or route.path, route


def request_models(app: FastAPI) -> list[type[BaseModel]]:
    """Every model that is the body (or the query parameters) of one of the app's routes, and
    every model nested in one: found from the routes, so a new request body (or a new field of
    one) is covered."""
    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = []
    for _, route in _api_routes(app):
        for dependant in _dependants(route.dependant):
            for param in (*dependant.body_params, *dependant.query_params):
                pending.extend(_models_in(param.field_info.annotation))
    while pending:
        model = pending.pop()
        key = f"{model.__module__}.{model.__qualname__}"
        if key not in found:
            found[key] = model
            for field_info in model.model_fields.values():
                pending.extend(_models_in(field_info.annotation))
    return [found[key] for key in sorted(found)]


def text_query_params(app: FastAPI) -> list[tuple[str, str, ModelField]]:
    """(route path, parameter, field) for every query parameter of the app that takes a string."""
    found = []
    for path, route in _api_routes(app):
        for dependant in _dependants(route.dependant):
            for param in dependant.query_params:
                if _holds_str(param.field_info.annotation):
                    found.append((path, param.alias, param))
    return found


def _holds_str(annotation: Any) -> bool:
    """``str``, or an ``Annotated`` or union of it (``Line | None``); not a model or a literal."""
    if annotation is str:
        return True
    if get_origin(annotation) is Literal:
        return False
    return any(_holds_str(arg) for arg in get_args(annotation))


def string_fields(model: type[BaseModel]) -> list[tuple[str, bool, dict[str, Any]]]:
    """(field, is a list, its string's JSON schema) for every field that holds strings."""
    fields = []
    for name, prop in model.model_json_schema()["properties"].items():
        for option in prop.get("anyOf", [prop]):
            is_list = option.get("type") == "array"
            item = option.get("items", {}) if is_list else option
            if item.get("type") == "string":
                fields.append((name, is_list, {**prop, **item}))
                break
    return fields


def example_of(model: type[BaseModel]) -> dict[str, Any]:
    """The model's first documented example (``json_schema_extra``), or nothing."""
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    return dict(examples[0]) if examples else {}  # type: ignore[index, arg-type]


def _with_control(base: Any, schema: dict[str, Any], bad: str) -> str:
    text = base if isinstance(base, str) and base else "fine text"
    text = text.ljust(int(schema.get("minLength", 0)), "x")
    if "maxLength" in schema:
        text = text[: max(int(schema["maxLength"]) - len(bad), 1)]
    return text[:1] + bad + text[1:]


def _refused_well(errors: list[Any], schema: dict[str, Any]) -> bool:
    if not errors:
        return False
    if any(key in schema for key in ("enum", "const", "format")):
        return True  # refused by its own type (a choice, an email, a URL, a time)
    allowed = {"control_character"} | (
        {"string_pattern_mismatch"} if "pattern" in schema else set()
    )
    return all(error["type"] in allowed for error in errors)


def control_character_failures(
    model: type[BaseModel], bad: str, *, exempt: Iterable[str] = ()
) -> list[str]:
    """The string fields of ``model`` that do not refuse ``bad`` as a control character (each
    field alone, in the model's example when it has one, which must be valid); ``exempt`` names
    ``Model.field``s left as they are on purpose."""
    example = example_of(model)
    failures = []
    if example:
        try:
            model.model_validate(example)
        except ValidationError as invalid:
            failures.append(f"{model.__name__}'s example is invalid: {invalid.errors()}")
    for name, is_list, schema in string_fields(model):
        if f"{model.__name__}.{name}" in set(exempt):
            continue
        sample = example.get(name)
        if is_list:
            sample = sample[0] if isinstance(sample, list) and sample else None
        text = _with_control(sample, schema, bad)
        try:
            model.model_validate({**example, name: [text] if is_list else text})
        except ValidationError as refused:
            errors = [e for e in refused.errors() if e["loc"] and e["loc"][0] == name]
            if _refused_well(errors, schema):
                continue
            failures.append(f"{model.__name__}.{name}: {errors}")
        else:
            failures.append(f"{model.__name__}.{name} accepted {bad!r}")
    return failures


def query_control_character_failures(app: FastAPI, bad: str) -> list[str]:
    """The string query parameters of ``app`` that do not refuse ``bad`` as a control character."""
    failures = []
    for path, name, param in text_query_params(app):
        schema: dict[str, Any] = {}
        for constraint in param.field_info.metadata:
            if isinstance(constraint, annotated_types.MinLen):
                schema["minLength"] = constraint.min_length
            if isinstance(constraint, annotated_types.MaxLen):
                schema["maxLength"] = constraint.max_length
        _, errors = param.validate(_with_control(None, schema, bad), loc=("query", name))
        types = {error["type"] for error in errors}
        if not errors or not types <= {"control_character", "string_pattern_mismatch"}:
            failures.append(f"{path} ?{name}: {errors or 'accepted'}")
    return failures


def signed_in(app: FastAPI, user_id: str = "user-1") -> dict[str, str]:
    """Headers of a caller signed in to ``app``, run in process with nothing behind it (an empty
    container): a request its own validation refuses never reaches a port, and one that got
    through would fail on the empty container instead of passing unnoticed."""
    key = SigningKey.generate()
    issuer, audience = "cerchia-membership", "cerchia"
    keys = KeySet(static=key.jwks())
    app.state.token_verifier = TokenVerifier(keys, issuer=issuer, audience=audience)
    app.state.container = SimpleNamespace()
    token = key.sign_access_token(user_id, issuer=issuer, audience=audience)
    return {"Authorization": f"Bearer {token}"}
