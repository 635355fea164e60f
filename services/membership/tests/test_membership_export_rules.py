"""The export's rules without I/O: progress, completeness, the deadline, expiry, the archive."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from cerchia_chassis.exports import ExportFile, record, slices
from membership.domain.exports import (
    Export,
    ExportExpired,
    ExportNotFound,
    ExportNotReady,
    ExportStatus,
    PartFile,
    UnknownContributor,
    archive_files,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
WAIT = timedelta(minutes=10)
KEEP = timedelta(days=7)


def new() -> Export:
    return Export.request("x1", "ada", now=NOW, wait=WAIT)


def with_all_but(export: Export, *left_out: str) -> Export:
    for service in export.services:
        if service not in left_out:
            export = export.with_part(service, 0, 1)
    return export


def test_progress_counts_each_services_parts_until_all_arrive() -> None:
    export = new()
    assert export.services == ("membership", "content", "events", "notifications")
    assert export.contributed == ()
    assert export.missing == export.services
    export = export.with_part("content", 1, 3).with_part("content", 0, 3)
    assert "content" in export.missing  # two of three parts
    export = export.with_part("content", 0, 3)  # a redelivered part counts once
    assert export.contributions["content"].received == {0, 1}
    export = export.with_part("content", 2, 3)
    assert export.contributed == ("content",)
    assert not export.ready_to_finish(NOW)


def test_complete_when_every_service_contributed() -> None:
    export = with_all_but(new())
    assert export.missing == ()
    assert export.ready_to_finish(NOW)
    done = export.finish(NOW, keep_for=KEEP)
    assert done.status is ExportStatus.COMPLETE
    assert done.expires_at == NOW + KEEP
    assert not done.pending
    assert not done.ready_to_finish(NOW)


def test_partial_after_the_deadline_naming_what_is_missing() -> None:
    export = with_all_but(new(), "events")
    assert not export.ready_to_finish(NOW + WAIT - timedelta(seconds=1))
    assert export.overdue(NOW + WAIT)
    done = export.finish(NOW + WAIT, keep_for=KEEP)
    assert done.status is ExportStatus.PARTIAL
    assert done.missing == ("events",)
    assert not done.overdue(NOW + 2 * WAIT)  # finished once


def test_unknown_contributors_and_impossible_parts_are_refused() -> None:
    with pytest.raises(UnknownContributor):
        new().with_part("billing", 0, 1)
    with pytest.raises(UnknownContributor):
        new().with_part("content", 3, 3)
    only = Export.request("x2", "ada", now=NOW, wait=WAIT, contributors=("content",))
    assert only.services == ("membership", "content")


def test_only_the_owner_downloads_and_only_until_expiry() -> None:
    pending = new()
    with pytest.raises(ExportNotReady):
        pending.check_download("ada", NOW)
    done = with_all_but(new()).finish(NOW, keep_for=KEEP)
    done.check_download("ada", NOW + KEEP - timedelta(seconds=1))
    with pytest.raises(ExportNotFound):
        done.check_download("bo", NOW)
    with pytest.raises(ExportNotFound):
        done.check_owner("bo")
    with pytest.raises(ExportExpired):
        done.check_download("ada", NOW + KEEP)
    assert done.expired(NOW + KEEP)


def part(service: str, file: str, sequence: int, *items: dict[str, str]) -> PartFile:
    return PartFile("x1", service, file, f"{file} of {service}", sequence, list(items))


def test_the_archive_has_a_folder_per_service_a_readme_and_a_manifest() -> None:
    export = with_all_but(new(), "events")
    export = export.with_part("content", 0, 2).with_part("content", 1, 2)
    done = export.finish(NOW + WAIT, keep_for=KEEP)
    files = archive_files(
        done,
        [
            part("content", "replies.json", 1, {"id": "r2"}),
            part("content", "replies.json", 0, {"id": "r1"}),
            part("membership", "account.json", 0, {"id": "ada"}),
            part("notifications", "feed.json", 0),
            part("events", "rsvps.json", 0, {"id": "half-arrived"}),
        ],
    )
    root = "cerchia-export-x1"
    assert json.loads(files[f"{root}/content/replies.json"]) == [{"id": "r1"}, {"id": "r2"}]
    assert json.loads(files[f"{root}/notifications/feed.json"]) == []
    assert f"{root}/events/rsvps.json" not in files  # events did not finish its part
    manifest = json.loads(files[f"{root}/export.json"])
    assert manifest["status"] == "partial"
    assert manifest["missing"] == ["events"]
    readme = files[f"{root}/README.md"]
    assert "`replies.json`: replies.json of content" in readme
    assert "Incomplete" in readme
    assert "`events`" in readme


def test_parts_are_cut_small_and_every_file_has_one() -> None:
    big = [{"n": str(i), "text": "x" * 100} for i in range(50)]
    cut = slices([("a.json", "A", big), ("b.json", "B", [])], max_bytes=1000)
    assert [s.file for s in cut].count("b.json") == 1
    pieces = [s for s in cut if s.file == "a.json"]
    assert len(pieces) > 5
    assert [item for s in pieces for item in s.items] == big
    assert all(len(json.dumps(list(s.items))) < 1200 for s in pieces)


def test_exported_records_leave_secrets_out() -> None:
    spec = ExportFile("w.json", "W", "webhooks", lambda u: {"owner_id": u}, omit=frozenset({"x"}))
    doc = {"_id": "w1", "secret": "s", "x": 1, "url": "https://a", "at": NOW}
    assert record(doc, spec.omit) == {"id": "w1", "url": "https://a", "at": NOW.isoformat()}
