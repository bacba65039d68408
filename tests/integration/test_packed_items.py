"""Long JSON in DynamoDB items (an article's claims, an alert) is stored compressed, so that an item bills
fewer write units, and reads back the same; items written before compression, in plain text, still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
from boto3.dynamodb.types import Binary

from localangle.adapters.storage import PACKED_OVER, AlertRecords, HeldAlerts, LedgerTable, Replica
from localangle.core.ledger import LedgerUpdate
from localangle.local.world import World
from localangle.meter import _size
from localangle.models.alert import Alert, Claim, Source

OP = "nca-2014-online-child-abuse"
WHEN = datetime(2014, 7, 16, 9, tzinfo=UTC)


def _claim(n: int) -> Claim:
    sentence = (
        f"Officers from Cheshire Constabulary arrested {n} people in Warrington, Crewe and Macclesfield as "
        "part of the National Crime Agency's six-month operation against online child sexual abuse, police "
        "said."
    )
    return Claim(
        metric="arrests",
        scope=f"cheshire/place-{n}",
        low=n,
        high=n,
        text=str(n),
        sentence=sentence,
        origin=Source(article_id=f"article-{n}", outlet="Cheshire News", url=f"https://news.example/{n}"),
    )


def _alert(n: int) -> Alert:
    claims = [_claim(i) for i in range(n)]
    return Alert(
        key=f"conflicting_figure:{OP}:{n}",
        kind="conflicting_figure",
        severity="warning",
        operation=OP,
        operation_name="NCA operation against online child abuse",
        metric="arrests",
        scope="cheshire/warrington",
        claims=claims,
        headline="Conflicting figure: arrests in Warrington",
        created_at=WHEN,
        trigger=claims[0].origin,
    )


def _raw(table_name: str, **key: str) -> dict:
    return boto3.resource("dynamodb", region_name="eu-west-2").Table(table_name).get_item(Key=key)["Item"]


def test_an_articles_claims_are_stored_compressed_and_read_back_the_same(world: World) -> None:
    name = world.cloud.env["LEDGER_TABLE"]
    ledger = LedgerTable(name)
    claims = [_claim(n) for n in range(1, 6)]
    ledger.apply(OP, "article-1", LedgerUpdate(claims=claims))
    item = _raw(name, pk=f"{OP}#articles", sk="article-1")
    # stored as Binary, a fraction of the JSON: a third of the write units
    assert isinstance(item["claims"], Binary)
    plain = json.dumps([c.model_dump(mode="json") for c in claims])
    assert len(plain) > 3 * len(item["claims"].value)
    assert _size(item) <= 1024 < len(plain)
    # short lists stay readable text
    assert item["outside"] == "[]"
    assert ledger.article_claims(OP, "article-1").claims == claims


def test_items_written_before_compression_still_read(world: World) -> None:
    name = world.cloud.env["LEDGER_TABLE"]
    claims = [_claim(n) for n in range(1, 4)]
    dumped = json.dumps([c.model_dump(mode="json") for c in claims])
    assert len(dumped.encode()) > PACKED_OVER
    table = boto3.resource("dynamodb", region_name="eu-west-2").Table(name)
    table.put_item(
        Item={"pk": f"{OP}#articles", "sk": "old", "claims": dumped, "outside": "[]", "revised": "[]"}
    )
    old = _alert(4)
    table.put_item(
        Item={
            "pk": f"{OP}#conflicts",
            "sk": f"arrests|cheshire/warrington|{old.key}",
            "alert": old.model_dump_json(),
            "status": "open",
        }
    )
    ledger = LedgerTable(name)
    assert ledger.article_claims(OP, "old").claims == claims
    assert ledger.open_conflicts(OP, "arrests", "cheshire/warrington") == [old]


def test_conflicts_alert_records_and_held_alerts_keep_alerts_compressed(world: World) -> None:
    ledger = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    alert = _alert(6)
    version = ledger.version(OP)
    assert ledger.commit(OP, version, LedgerUpdate(opened=[alert]))
    assert ledger.open_conflicts(OP, "arrests", "cheshire/warrington") == [alert]

    records = AlertRecords(world.cloud.env["ALERTS_TABLE"])
    assert records.create(alert) == "new"
    record = _raw(world.cloud.env["ALERTS_TABLE"], alert_key=alert.key)
    assert isinstance(record["alert"], Binary)

    held = HeldAlerts(world.cloud.env["DIGEST_TABLE"])
    held.hold("national-desk", "digest", alert)
    assert held.read("national-desk").pending("digest")[0][1] == alert


def test_a_warm_functions_copy_holds_them_as_written_and_reads_them_the_same(world: World) -> None:
    # Given UpdateLedger's warm copy of the ledger, holding what it read at the version it judges
    ledger = LedgerTable(world.cloud.env["LEDGER_TABLE"], replica=Replica())
    version = ledger.sync(OP)
    assert ledger.article_claims(OP, "article-1").claims == []
    assert ledger.open_conflicts(OP, "arrests", "cheshire/warrington") == []
    claims = [_claim(n) for n in range(1, 6)]
    alert = _alert(6)
    # When an article and a conflict are written through it
    ledger.apply(OP, "article-1", LedgerUpdate(claims=claims))
    assert ledger.commit(OP, version, LedgerUpdate(opened=[alert]))
    # Then the copy holds the compressed bytes it wrote, and reads them back as the table would
    assert ledger.replica is not None
    found, item = ledger.replica.lookup(f"{OP}#articles", "article-1")
    assert found and item is not None and isinstance(item["claims"], bytes)
    assert ledger.article_claims(OP, "article-1").claims == claims
    assert ledger.open_conflicts(OP, "arrests", "cheshire/warrington") == [alert]


def test_an_update_undone_puts_back_the_compressed_item_it_replaced(world: World) -> None:
    ledger = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    first = [_claim(n) for n in range(1, 6)]
    ledger.apply(OP, "article-1", LedgerUpdate(claims=first))
    before = ledger.article_claims(OP, "article-1")
    undo = ledger.apply(OP, "article-1", LedgerUpdate(claims=[_claim(9)], before=before))
    assert ledger.article_claims(OP, "article-1").claims == [_claim(9)]
    ledger.undo(OP, undo)
    assert ledger.article_claims(OP, "article-1").claims == first
