"""Schema snapshots and the backward/forward compatibility checker."""

from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import AwareDatetime, BaseModel, Field

from cerchia_contracts import CloudEvent, EventData
from cerchia_contracts.compat import incompatibilities
from cerchia_contracts.events.membership import UserRegistered
from cerchia_contracts.snapshots import (
    SCHEMA_MODE,
    check,
    default_dir,
    live_schemas,
    load_snapshots,
    main,
    render,
)

pytestmark = pytest.mark.unit

SNAPSHOTS = Path(__file__).resolve().parents[1] / "schemas"
TYPE = "cerchia.membership.user_registered.v1"


def envelope(data: type[EventData]) -> dict[str, Any]:
    """The schema of user_registered.v1 if its payload were ``data``."""

    class Variant(CloudEvent[data]):  # type: ignore[valid-type]
        type: Literal["cerchia.membership.user_registered.v1"] = Field(
            default="cerchia.membership.user_registered.v1", description="Event type."
        )

    return Variant.model_json_schema(mode=SCHEMA_MODE)


Locale = Literal["it", "en"]


class Registered(EventData):
    """The payload the variants below change, one way each (user_registered.v1 as first
    published; the live contract has since gained optional fields, which stays compatible)."""

    user_id: str = Field(description="Id of the new user.")
    email: str = Field(description="The address the user registered with.")
    display_name: str = Field(description="Name shown to other members.")
    locale: Locale = Field(description="Preferred language.")


LIVE = envelope(Registered)


# --- the committed snapshots --------------------------------------------------------------


def test_default_dir_is_the_committed_one() -> None:
    assert default_dir() == SNAPSHOTS


def test_every_event_type_is_snapshotted() -> None:
    assert sorted(load_snapshots(SNAPSHOTS)) == sorted(live_schemas())


@pytest.mark.parametrize("event_type", sorted(live_schemas()))
def test_live_schema_is_compatible_with_snapshot(event_type: str) -> None:
    committed = load_snapshots(SNAPSHOTS)[event_type]
    assert incompatibilities(committed, live_schemas()[event_type]) == []


@pytest.mark.parametrize("event_type", sorted(live_schemas()))
def test_snapshot_has_no_drift(event_type: str) -> None:
    """Even a compatible change must be re-snapshotted (python -m cerchia_contracts.snapshots)."""
    path = SNAPSHOTS / f"{event_type}.json"
    assert path.read_text(encoding="utf-8") == render(live_schemas()[event_type])


def test_check_passes_on_the_committed_snapshots() -> None:
    assert check(SNAPSHOTS).ok


# --- the checker on model changes -------------------------------------------------------------


class RemovedField(EventData):
    user_id: str = Field(description="Id of the new user.")
    email: str = Field(description="The address the user registered with.")
    locale: Locale = Field(description="Preferred language.")


class RenamedField(EventData):
    user_id: str = Field(description="Id of the new user.")
    email_address: str = Field(description="The address the user registered with.")
    display_name: str = Field(description="Name shown to other members.")
    locale: Locale = Field(description="Preferred language.")


class ChangedType(EventData):
    user_id: int = Field(description="Id of the new user.")
    email: str = Field(description="The address the user registered with.")
    display_name: str = Field(description="Name shown to other members.")
    locale: Locale = Field(description="Preferred language.")


class NullableField(EventData):
    user_id: str = Field(description="Id of the new user.")
    email: str | None = Field(description="The address the user registered with.")
    display_name: str = Field(description="Name shown to other members.")
    locale: Locale = Field(description="Preferred language.")


class NewRequiredField(EventData):
    user_id: str = Field(description="Id of the new user.")
    email: str = Field(description="The address the user registered with.")
    display_name: str = Field(description="Name shown to other members.")
    locale: Locale = Field(description="Preferred language.")
    phone: str = Field(description="Phone number.")


class TightenedEnum(EventData):
    user_id: str = Field(description="Id of the new user.")
    email: str = Field(description="The address the user registered with.")
    display_name: str = Field(description="Name shown to other members.")
    locale: Literal["it"] = Field(description="Preferred language.")


class WidenedEnum(EventData):
    user_id: str = Field(description="Id of the new user.")
    email: str = Field(description="The address the user registered with.")
    display_name: str = Field(description="Name shown to other members.")
    locale: Literal["it", "en", "fr"] = Field(description="Preferred language.")


class TightenedMaxLength(EventData):
    user_id: str = Field(description="Id of the new user.")
    email: str = Field(description="The address the user registered with.")
    display_name: str = Field(max_length=80, description="Name shown to other members.")
    locale: Locale = Field(description="Preferred language.")


class OptionalAdded(EventData):
    """Same event, one more optional field and reworded descriptions."""

    user_id: str = Field(description="Identifier of the user who just registered.")
    email: str = Field(description="Registration address.")
    display_name: str = Field(description="Public name.")
    locale: Locale = Field(description="it or en.")
    nickname: str | None = Field(default=None, description="Optional short name.")


class DescriptionsChanged(EventData):
    """Reworded documentation only."""

    user_id: str = Field(description="Identifier of the user who just registered.", title="Uid")
    email: str = Field(description="Registration address.")
    display_name: str = Field(description="Public name.")
    locale: Locale = Field(description="it or en.")


class OptionalWithoutDefaultInSchema(EventData):
    user_id: str = Field(description="Id of the new user.")
    email: str = Field(description="The address the user registered with.")
    display_name: str = Field(description="Name shown to other members.")
    locale: Locale = Field(description="Preferred language.")
    tags: list[str] = Field(default_factory=list, description="Tags.")


BREAKING: dict[str, tuple[type[EventData], str]] = {
    "removed field": (RemovedField, "data.display_name: property removed or renamed"),
    "renamed field": (RenamedField, "data.email: property removed or renamed"),
    "changed type": (ChangedType, "data.user_id: type changed from string to integer"),
    "made nullable": (NullableField, "data.email: type changed from string to anyOf"),
    "new required field": (NewRequiredField, "data.phone: new property is required"),
    "tightened enum": (TightenedEnum, "data.locale: enum narrowed: ['en']"),
    "widened enum": (WidenedEnum, "data.locale: enum widened: ['fr']"),
    "tightened maxLength": (TightenedMaxLength, "data.display_name: maxLength added (80)"),
    "default_factory": (OptionalWithoutDefaultInSchema, "data.tags: new property has no default"),
}


@pytest.mark.parametrize(("data", "reason"), BREAKING.values(), ids=BREAKING.keys())
def test_checker_fails_on_breaking_change(data: type[EventData], reason: str) -> None:
    reasons = incompatibilities(LIVE, envelope(data))
    assert any(r.startswith(reason) for r in reasons), reasons


def test_renamed_field_reports_both_sides() -> None:
    reasons = incompatibilities(LIVE, envelope(RenamedField))
    assert reasons == [
        "data.email: property removed or renamed",
        "data.email_address: new property is required",
    ]


def test_checker_passes_on_the_same_payload_under_another_class_name() -> None:
    assert incompatibilities(LIVE, envelope(UserRegistered)) == []
    assert incompatibilities(LIVE, envelope(DescriptionsChanged)) == []


@pytest.mark.parametrize("data", [OptionalAdded, DescriptionsChanged])
def test_checker_passes_on_compatible_change(data: type[EventData]) -> None:
    assert incompatibilities(LIVE, envelope(data)) == []


def test_removing_an_optional_field_with_default_is_breaking() -> None:
    assert incompatibilities(envelope(OptionalAdded), LIVE) == [
        "data.nickname: property removed or renamed"
    ]


class WithNickname(EventData):
    nickname: str | None = Field(default=None, description="Optional short name.")


class NicknameRequired(EventData):
    nickname: str | None = Field(description="Short name.")


def test_optional_to_required_and_back_are_breaking() -> None:
    optional, required = envelope(WithNickname), envelope(NicknameRequired)
    assert "data.nickname: optional property became required" in incompatibilities(
        optional, required
    )
    assert "data.nickname: required property became optional" in incompatibilities(
        required, optional
    )


class ShortIds(CloudEvent[UserRegistered]):
    id: str = Field(min_length=1, max_length=32, description="Unique id.")
    type: Literal["cerchia.membership.user_registered.v1"] = Field(
        default="cerchia.membership.user_registered.v1", description="Event type."
    )


class RequiredSubject(CloudEvent[UserRegistered]):
    subject: str = Field(description="Aggregate id.")
    type: Literal["cerchia.membership.user_registered.v1"] = Field(
        default="cerchia.membership.user_registered.v1", description="Event type."
    )


def test_envelope_changes_are_checked_too() -> None:
    assert incompatibilities(LIVE, ShortIds.model_json_schema(mode=SCHEMA_MODE)) == [
        "id: maxLength changed from 64 to 32"
    ]
    reasons = incompatibilities(LIVE, RequiredSubject.model_json_schema(mode=SCHEMA_MODE))
    assert "subject: optional property became required" in reasons
    assert "subject: type changed from anyOf(string, null) to string" in reasons


# --- nested structures -----------------------------------------------------------------------


class Address(BaseModel):
    city: str = Field(description="City.")
    zip_code: str = Field(description="Postal code.")


class AddressNoZip(BaseModel):
    city: str = Field(description="City.")


class Nested(EventData):
    home: Address | None = Field(default=None, description="Home.")
    tags: list[str] = Field(description="Tags.")
    born: AwareDatetime = Field(description="Birth time.")
    kind: Literal["person"] = Field(default="person", description="Kind.")


class NestedNoZip(EventData):
    home: AddressNoZip | None = Field(default=None, description="Home.")
    tags: list[str] = Field(description="Tags.")
    born: AwareDatetime = Field(description="Birth time.")
    kind: Literal["person"] = Field(default="person", description="Kind.")


class NestedOtherItems(EventData):
    home: Address | None = Field(default=None, description="Home.")
    tags: list[int] = Field(description="Tags.")
    born: str = Field(description="Birth time.")
    kind: Literal["company"] = Field(default="company", description="Kind.")


def test_nested_refs_are_resolved_and_compared_by_shape() -> None:
    assert incompatibilities(envelope(Nested), envelope(NestedNoZip)) == [
        "data.home<anyOf[0]>.zip_code: property removed or renamed"
    ]


def test_items_format_and_const_changes_are_breaking() -> None:
    reasons = incompatibilities(envelope(Nested), envelope(NestedOtherItems))
    assert "data.tags[]: type changed from string to integer" in reasons
    assert "data.born: format removed (was 'date-time')" in reasons
    assert "data.kind: const changed from 'person' to 'company'" in reasons


def test_recursive_schemas_terminate() -> None:
    old = {
        "$defs": {"Node": {"type": "object", "properties": {"kids": _list_of_nodes()}}},
        "$ref": "#/$defs/Node",
    }
    new = {
        "$defs": {"Tree": {"type": "object", "properties": {"kids": _list_of_nodes("Tree")}}},
        "$ref": "#/$defs/Tree",
    }
    assert incompatibilities(old, new) == []
    new["$defs"]["Tree"]["properties"]["kids"]["maxItems"] = 3
    assert incompatibilities(old, new) == ["kids: maxItems added (3)"]


def _list_of_nodes(name: str = "Node") -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": f"#/$defs/{name}"}}


# --- the command line --------------------------------------------------------------------------


def test_cli_write_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    assert f"not snapshotted yet: {TYPE}" in capsys.readouterr().out
    assert main(["--write", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / f"{TYPE}.json").read_text() == (SNAPSHOTS / f"{TYPE}.json").read_text()
    assert main(["--check", "--dir", str(tmp_path)]) == 0
    assert "match" in capsys.readouterr().out


def test_cli_asks_to_rewrite_compatible_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / f"{TYPE}.json").write_text(render(envelope(DescriptionsChanged)))
    assert main(["--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"changed compatibly: {TYPE}" in out
    assert "re-run with --write" in out
    assert "BREAKING" not in out


def test_cli_fails_on_breaking_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / f"{TYPE}.json").write_text(render(envelope(OptionalAdded)))
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    assert f"BREAKING {TYPE}: data.nickname: property removed" in capsys.readouterr().out


def test_cli_fails_on_vanished_event_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--write", "--dir", str(tmp_path)])
    (tmp_path / "cerchia.membership.never_existed.v1.json").write_text(render(LIVE))
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    assert "BREAKING cerchia.membership.never_existed.v1: event type removed" in (
        capsys.readouterr().out
    )
    assert main(["--write", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / "cerchia.membership.never_existed.v1.json").exists()
