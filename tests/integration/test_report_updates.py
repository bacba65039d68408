"""Roundup builds each ledger report on the last one, reading only the articles changed since, and reads the
ledger whole when it cannot: no last report, a version that lists no changes, other metrics, a day gone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from localangle.adapters import aws, storage
from localangle.adapters.storage import Archive, LedgerTable
from localangle.articles import read_article_file
from localangle.core.analysis import Reader
from localangle.local.world import World
from localangle.models.alert import Source
from localangle.models.messages import LedgerMessage
from localangle.pipeline import runtime
from localangle.pipeline.ledger import update_ledger
from localangle.pipeline.roundup import publish_reports
from localangle.report import Published, cells, report_key
from tests.conftest import ARTICLES

NOW = datetime(2014, 7, 16, 12, tzinfo=UTC)


def _message(reader: Reader, path: Path) -> LedgerMessage:
    article = read_article_file(path)
    analysis = reader.analyse(article)
    (match,) = analysis.matches
    return LedgerMessage(
        operation=match.operation,
        origin=Source(article_id=article.id, outlet=article.outlet, title=article.title, source=path.name),
        match=match,
        regions=analysis.regions,
        figures=analysis.figures,
        evidence=analysis.evidence,
    )


class Reads:
    """How often the operation's report read the ledger whole (another, idle operation's report is read
    whole once a day too)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, operation: str) -> None:
        self.whole = 0
        real = LedgerTable.operation_claims

        def counted(table: LedgerTable, operation_id: str, *args: Any) -> Any:
            self.whole += operation_id == operation
            return real(table, operation_id, *args)

        monkeypatch.setattr(LedgerTable, "operation_claims", counted)


def _published(world: World, operation: str) -> Published:
    bucket = world.cloud.env["ARCHIVE_BUCKET"]
    return Published.parse(Archive(bucket).get_text(report_key(operation, "ledger.json")))


def _whole(world: World, operation_id: str) -> Any:
    """The report a whole read gives, read here without the spy: every claim about the operation."""
    operation = runtime.config().operation(operation_id)
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    claims = [c for m in operation.metrics for c, inside in table.all_claims(operation_id, m) if inside]
    return cells(operation, claims)


@pytest.fixture
def messages(reader: Reader) -> list[LedgerMessage]:
    found = []
    for path in sorted(ARTICLES.glob("*.txt")):
        if reader.analyse(read_article_file(path)).matches:
            found.append(_message(reader, path))
    assert len(found) >= 3
    return found


def test_each_report_is_built_on_the_last_and_matches_a_whole_read(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    world.upload_config()
    operation = messages[0].operation
    reads = Reads(monkeypatch, operation)
    # Given the seed articles reaching the ledger one at a time, a report after each, and then the first
    # article edited to drop half its figures, and the second to drop them all
    first, second = messages[0], messages[1]
    edits = [
        first.model_copy(update={"figures": first.figures[: len(first.figures) // 2]}),
        second.model_copy(update={"figures": []}),
    ]
    for n, message in enumerate([*messages, *edits]):
        update_ledger(message)
        # (the other operation, idle since the world was switched on years before, is read whole at first)
        assert report_key(operation) in publish_reports(NOW + timedelta(minutes=15 * n))
        published = _published(world, operation)
        # Then every report shows exactly what the ledger holds at the version it names
        assert published.cells == _whole(world, operation), message.origin.source
        assert published.version == LedgerTable(world.cloud.env["LEDGER_TABLE"]).version(operation)
        if message is messages[-1]:  # before the edits, the second article is in the report
            assert second.origin.article_id in _sources(published)
    # ... the edits show: the second article is gone from the report, and only the first report read whole
    assert second.origin.article_id not in _sources(published)
    assert reads.whole == 1


def _sources(published: Published) -> set[str]:
    return {c.origin.article_id for cell in published.cells for c in cell.claims}


def _ledger_up_to_date(world: World, messages: list[LedgerMessage]) -> str:
    world.upload_config()
    for message in messages[:-1]:
        update_ledger(message)
    assert publish_reports(NOW)
    update_ledger(messages[-1])
    return messages[0].operation


def test_a_version_that_lists_no_changes_makes_the_report_read_the_ledger_whole(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    operation = _ledger_up_to_date(world, messages)
    # Given the list of the last version's changes gone (expired, or written before lists were kept)
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    version = table.version(operation)
    table.table.delete_item(Key={"pk": f"{operation}#changed", "sk": f"{version:012d}"})
    reads = Reads(monkeypatch, operation)
    # When the next report is published, then it reads the ledger whole, and is right
    publish_reports(NOW + timedelta(minutes=15))
    assert reads.whole == 1
    assert _published(world, operation).cells == _whole(world, operation)
    assert messages[-1].origin.article_id in _sources(_published(world, operation))


@pytest.mark.parametrize("later", [timedelta(minutes=15), timedelta(days=1)])
def test_a_report_read_whole_a_day_ago_is_read_whole_again(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch, later: timedelta
) -> None:
    operation = _ledger_up_to_date(world, messages)
    reads = Reads(monkeypatch, operation)
    publish_reports(NOW + later)
    assert reads.whole == (1 if later >= timedelta(days=1) else 0)
    published = _published(world, operation)
    assert published.read_whole_at == (NOW + later if reads.whole else NOW)
    assert published.cells == _whole(world, operation)


def test_a_report_of_other_metrics_is_not_built_on(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    operation = _ledger_up_to_date(world, messages)
    # Given the last report made when the operation tracked one metric fewer
    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])
    key = report_key(operation, "ledger.json")
    doc = json.loads(archive.get_text(key))
    doc["metrics"] = doc["metrics"][:-1]
    archive.put(key, json.dumps(doc).encode(), "application/json")
    reads = Reads(monkeypatch, operation)
    publish_reports(NOW + timedelta(minutes=15))
    assert reads.whole == 1
    assert _published(world, operation).cells == _whole(world, operation)


def test_the_reported_mark_never_goes_back(world: World) -> None:
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    table.mark_reported("op", 5, NOW)
    table.mark_reported("op", 3, NOW)  # a Roundup that read an older version and finished last
    assert table.versions("op") == (0, 5, NOW)
    later = NOW + timedelta(days=1)
    table.mark_reported("op", 5, later)  # the same version read whole again
    assert table.versions("op") == (0, 5, later)
    table.mark_reported("op", 6, later)
    assert table.versions("op") == (0, 6, later)


def test_an_unchanged_report_that_went_wrong_is_put_right_within_a_day(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a report at the ledger's version that lost a cell (an older Roundup that finished last, or an
    # update undone while it was read), and an operation that then goes quiet
    operation = _ledger_up_to_date(world, messages)
    publish_reports(NOW + timedelta(minutes=15))
    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])
    key = report_key(operation, "ledger.json")
    doc = json.loads(archive.get_text(key))
    doc["cells"] = doc["cells"][1:]
    archive.put(key, json.dumps(doc).encode(), "application/json")
    reads = Reads(monkeypatch, operation)
    # When nothing changes, the report is left alone through the day
    assert publish_reports(NOW + timedelta(hours=23)) == []
    assert _published(world, operation).cells != _whole(world, operation)
    # Then a day after its last whole read it is read whole again, and right
    assert report_key(operation) in publish_reports(NOW + timedelta(days=1, minutes=15))
    assert reads.whole == 1
    assert _published(world, operation).cells == _whole(world, operation)


@pytest.mark.parametrize("read_before", ["versions and report", "versions only"])
def test_of_two_roundups_at_once_the_one_that_read_the_ledger_first_never_puts_back_an_older_report(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch, read_before: str
) -> None:
    from localangle.pipeline import roundup

    operation = _ledger_up_to_date(world, messages)
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])
    # Given a Roundup (a schedule delivered twice) that has read the ledger's version and mark, and maybe the
    # last report, and is then held up
    versions, report = table.versions(operation), roundup._published(archive, operation)
    # ... while an edit is committed and the other Roundup publishes the newer report
    first = messages[0]
    update_ledger(first.model_copy(update={"figures": first.figures[:1]}))
    assert report_key(operation) in publish_reports(NOW + timedelta(minutes=15))
    newer = _published(world, operation)
    assert newer.version == table.version(operation) == versions[0] + 1
    real_versions, real_published = LedgerTable.versions, roundup._published
    monkeypatch.setattr(
        LedgerTable, "versions", lambda t, op: versions if op == operation else real_versions(t, op)
    )
    if read_before == "versions and report":
        monkeypatch.setattr(
            roundup, "_published", lambda a, op: report if op == operation else real_published(a, op)
        )
    page = archive.get(report_key(operation))
    # When the held-up one carries on, then it leaves the newer report, and its page, as they are
    assert report_key(operation) not in publish_reports(NOW + timedelta(minutes=16))
    assert _published(world, operation) == newer
    assert archive.get(report_key(operation)) == page
    assert real_versions(table, operation)[:2] == (newer.version, newer.version)  # the mark stays too


@pytest.mark.parametrize("left", ["an unreadable report", "a report but no mark (the ledger emptied)"])
def test_a_report_that_cannot_be_built_on_is_replaced_from_a_whole_read(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch, left: str
) -> None:
    operation = _ledger_up_to_date(world, messages)
    if left == "an unreadable report":
        Archive(world.cloud.env["ARCHIVE_BUCKET"]).put(
            report_key(operation, "ledger.json"), b"{not json", "application/json"
        )
    else:
        table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
        table.table.delete_item(Key={"pk": f"{operation}#head", "sk": "report"})
    reads = Reads(monkeypatch, operation)
    assert report_key(operation) in publish_reports(NOW + timedelta(minutes=15))
    assert reads.whole == 1
    assert _published(world, operation).cells == _whole(world, operation)


def _reset_below_report(world: World, messages: list[LedgerMessage]) -> None:
    """The ledger's version counter lost (restored from an older backup, or deleted by hand) while its report
    and mark stay, and the next article recorded as version 1."""
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    operation = messages[0].operation
    table.table.delete_item(Key={"pk": f"{operation}#head", "sk": "version"})
    runtime.forget_replica(operation)
    first = messages[0]
    update_ledger(first.model_copy(update={"figures": first.figures[:1]}))
    assert table.version(operation) == 1 < table.versions(operation)[1]


def _page_version(world: World, key: str) -> str | None:
    """The version a page was written at (its S3 metadata); None: written with none."""
    head = aws.client("s3").head_object(Bucket=world.cloud.env["ARCHIVE_BUCKET"], Key=key)
    return head["Metadata"].get("version")


def test_a_ledger_reset_below_its_report_is_reported_again_from_a_whole_read(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a report and its mark at a version, and then the ledger's version counter lost while the report
    # and the mark stay, and the next article recorded
    operation = _ledger_up_to_date(world, messages)
    assert publish_reports(NOW + timedelta(minutes=15))
    _reset_below_report(world, messages)
    reads = Reads(monkeypatch, operation)
    # When the next run comes, Then the report is written again from the whole ledger, and the mark comes
    # down to the version
    assert report_key(operation) in publish_reports(NOW + timedelta(minutes=30))
    assert reads.whole == 1
    assert _published(world, operation).cells == _whole(world, operation)
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    assert table.versions(operation)[:2] == (1, 1)
    assert _page_version(world, report_key(operation)) == "1"  # the page too, over the one before the reset


def test_a_report_is_written_only_over_the_one_read(world: World) -> None:
    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])
    assert archive.get_tagged("r.json") is None
    assert archive.put_if("r.json", b"1", "application/json", None)  # none yet, none now
    assert not archive.put_if("r.json", b"2", "application/json", None)  # one appeared meanwhile
    found = archive.get_tagged("r.json")
    assert found is not None and found[0] == b"1"
    assert archive.put_if("r.json", b"3", "application/json", found[1])  # still the one read
    assert not archive.put_if("r.json", b"4", "application/json", found[1])  # replaced meanwhile
    latest = archive.get_tagged("r.json")
    assert latest is not None and latest[0] == b"3"
    aws.client("s3").delete_object(Bucket=archive.bucket, Key="r.json")
    # gone meanwhile: lost, like one replaced, not an error
    assert not archive.put_if("r.json", b"5", "application/json", latest[1])
    assert archive.get_tagged("r.json") is None


@pytest.mark.parametrize("ledger", ["as it was", "reset below its report"])
def test_a_roundup_held_up_between_its_report_and_its_page_leaves_a_later_runs_page(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch, ledger: str
) -> None:
    operation = _ledger_up_to_date(world, messages)
    if ledger == "reset below its report":  # then both runs write over the report from before the reset
        assert publish_reports(NOW + timedelta(minutes=5))
        _reset_below_report(world, messages)
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    real = Archive.put_unless_later
    held: list[int] = []

    def held_up(self: Archive, key: str, body: bytes, content_type: str, version: int, **kw: Any) -> str:
        if key == report_key(operation) and not held:
            # Given a Roundup that has written its report and is held up before its page, while an edit is
            # committed and another Roundup publishes the newer report and page
            held.append(version)
            second = messages[1]
            update_ledger(second.model_copy(update={"figures": second.figures[:1]}))
            assert report_key(operation) in publish_reports(NOW + timedelta(minutes=16))
        return real(self, key, body, content_type, version, **kw)

    monkeypatch.setattr(Archive, "put_unless_later", held_up)
    assert report_key(operation) not in publish_reports(NOW + timedelta(minutes=15))
    # Then the held-up run's page, a version behind, is not written over the newer one, nor its mark
    newer = _published(world, operation)
    assert held and newer.version == table.version(operation) == held[0] + 1
    assert _page_version(world, report_key(operation)) == str(newer.version)
    assert table.versions(operation)[:2] == (newer.version, newer.version)


def test_a_page_that_others_keep_replacing_is_left_to_the_next_run(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    operation = _ledger_up_to_date(world, messages)
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    reported = table.versions(operation)[1]
    monkeypatch.setattr(Archive, "put_unless_later", lambda *a, **kw: "contended")
    assert report_key(operation) not in publish_reports(NOW + timedelta(minutes=15))
    assert table.versions(operation)[1] == reported  # not marked: the next run writes it again
    monkeypatch.undo()
    assert report_key(operation) in publish_reports(NOW + timedelta(minutes=30))
    assert table.versions(operation)[1] == table.version(operation)


def test_a_page_is_written_unless_a_later_version_is_there(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])

    archive.put("p.html", b"before versions", "text/html")
    assert archive.put_unless_later("p.html", b"3", "text/html", 3) == "written"  # none is older than any
    assert archive.get("p.html") == b"3" and _page_version(world, "p.html") == "3"
    assert archive.put_unless_later("p.html", b"3 again", "text/html", 3) == "written"  # the same: rebuilt
    assert archive.put_unless_later("p.html", b"2", "text/html", 2) == "later"
    assert archive.get("p.html") == b"3 again"
    # after a reset below it: a page of a version the ledger has not reached again is from before the reset
    assert archive.put_unless_later("p.html", b"1", "text/html", 1, stale_above=lambda: 2) == "written"
    assert archive.get("p.html") == b"1" and _page_version(world, "p.html") == "1"
    archive.put_if("p.html", b"2", "text/html", archive.get_tagged("p.html")[1], {"version": "2"})  # type: ignore[index]
    assert archive.put_unless_later("p.html", b"1", "text/html", 1, stale_above=lambda: 2) == "later"
    aws.client("s3").delete_object(Bucket=archive.bucket, Key="p.html")
    assert archive.put_unless_later("p.html", b"4", "text/html", 4) == "written"  # none there
    # Another writer replacing it between the look and the write: it is looked at again, a moment later, and
    # judged as it is then
    real = Archive.put_if
    pauses: list[int] = []
    monkeypatch.setattr(storage, "_pause", pauses.append)

    def racing(others: list[bytes]) -> Any:
        writes = iter(others)

        def raced(
            self: Archive, key: str, body: bytes, content_type: str, etag: str | None, meta: Any = None
        ) -> bool:
            other = next(writes, None)
            if other is not None:
                real(self, key, other, content_type, etag, {"version": other.split()[0].decode()})
            return real(self, key, body, content_type, etag, meta)

        return raced

    monkeypatch.setattr(Archive, "put_if", racing([b"5 from another", b"7 from another"]))
    assert archive.put_unless_later("p.html", b"6", "text/html", 6) == "later"  # 5 came, then 7
    assert (
        archive.get("p.html") == b"7 from another"
        and _page_version(world, "p.html") == "7"
        and pauses == [1, 2]
    )
    # ... and when others replace it at every attempt, nothing is written and the caller is told so
    pauses.clear()
    others = [b"7 from another, take %d" % n for n in range(storage.VERSIONED_ATTEMPTS)]  # each its ETag
    monkeypatch.setattr(Archive, "put_if", racing(others))
    assert archive.put_unless_later("p.html", b"8", "text/html", 8) == "contended"
    assert archive.get("p.html") == others[-1]
    assert pauses == list(range(1, storage.VERSIONED_ATTEMPTS))


def test_a_page_from_before_a_reset_is_replaced_even_by_a_run_that_did_not_see_the_reset(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a report, its page and its mark at a version, and then the ledger restored from an older backup:
    # its version and its mark both below the report's
    operation = _ledger_up_to_date(world, messages)
    assert publish_reports(NOW + timedelta(minutes=5))
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    before = table.version(operation)
    _reset_below_report(world, messages)
    table.table.delete_item(Key={"pk": f"{operation}#head", "sk": "report"})
    table.mark_reported(operation, 0, NOW, reset=True)
    assert table.versions(operation)[:2] == (1, 0) and _published(world, operation).version == before > 1
    # ... and a Roundup that saw the report ahead of the ledger, wrote it again, and stopped before its page
    real = Archive.put_unless_later

    def stopped(*args: Any, **kwargs: Any) -> str:
        raise TimeoutError("the function's time ran out")

    monkeypatch.setattr(Archive, "put_unless_later", stopped)
    with pytest.raises(TimeoutError):
        publish_reports(NOW + timedelta(minutes=15))
    assert _published(world, operation).version == 1
    monkeypatch.setattr(Archive, "put_unless_later", real)
    # When the next run comes, which sees nothing of the reset (the report is of the ledger's version)
    assert report_key(operation) in publish_reports(NOW + timedelta(minutes=30))
    # Then it writes the page over the one from before the reset, and marks the version
    assert _page_version(world, report_key(operation)) == "1"
    assert table.versions(operation)[:2] == (1, 1)


def test_a_run_past_its_deadline_starts_no_report_and_leaves_it_to_the_next(
    world: World, messages: list[LedgerMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    from localangle.pipeline import roundup

    world.upload_config()
    operation = messages[0].operation
    update_ledger(messages[0])
    # Given a run with no time left for reports
    monkeypatch.setattr(roundup, "monotonic", lambda: 100.0)
    assert publish_reports(NOW, roundup.Deadline(at=50.0)) == []
    version, reported, _ = LedgerTable(world.cloud.env["LEDGER_TABLE"]).versions(operation)
    assert reported < version  # not marked: the next run writes it
    # Then the next run, in time, publishes it
    assert report_key(operation) in publish_reports(NOW, roundup.Deadline(at=150.0))
    assert _published(world, operation).version == version
