"""S3 and DynamoDB: the archive, feed state, articles (what was handed on), the ledger and alert records."""

from __future__ import annotations

import builtins
import gzip
import hashlib
import json
import random
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError

from localangle.adapters.aws import client, table
from localangle.core.ledger import ArticleClaims, LedgerUpdate
from localangle.core.similarity import NEAR_DUPLICATE, index_keys, resemblance
from localangle.models.alert import Alert, Claim, Source
from localangle.models.article import Article
from localangle.models.figure import Analysis


def _conditional_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _no_object(exc: ClientError) -> bool:
    """S3 has no such object: NoSuchKey from a GET, a bare 404 from a HEAD (it has no body to name a code)."""
    return exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound")


ARTICLES = "articles/"  # the archive's normalised articles, a batch to an object
RAW = "raw/"  # the pages, a batch to an object, or one to an object when too big to travel in a message
# How long the ledger lists each version's changed articles (DynamoDB's TTL removes them, at no charge): a
# report older than this is rebuilt from the whole ledger.
CHANGES_KEPT = timedelta(days=14)
# An object written with `put_unless_later` keeps its version in this user metadata (x-amz-meta-version), and
# is looked at and written again this many times at most while other writers keep replacing it, after a pause
# of up to VERSIONED_PAUSE_SECONDS × 2^attempt (random, so two writers do not meet again).
VERSION_METADATA = "version"
VERSIONED_ATTEMPTS = 5
VERSIONED_PAUSE_SECONDS = 0.05
Versioned = Literal["written", "later", "contended"]


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, VERSIONED_PAUSE_SECONDS * 2**attempt))


def _object_version(metadata: dict[str, str]) -> int:
    """The version an object was written at; -1 for none (older than any), or one that is not a number."""
    try:
        return int(metadata.get(VERSION_METADATA, "-1"))
    except ValueError:
        return -1


@dataclass(frozen=True)
class Archived:
    """An article as the archive holds it: when it was archived, and where its page is (None: no page, or
    archived before articles named theirs, when it may be raw/<article id>.html)."""

    when: datetime
    article: Article
    page_key: str | None


class Archive:
    """The archive bucket: raw/ pages, articles/ normalised JSON, ledger/ reports, config/."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def put(self, key: str, body: bytes, content_type: str) -> str:
        client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        return key

    def get(self, key: str) -> bytes:
        return bytes(client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def get_text(self, key: str) -> str:
        return self.get(key).decode("utf-8")

    def get_tagged(self, key: str) -> tuple[bytes, str] | None:
        """The object and its ETag, for a write that must not overwrite another's (`put_if`); None: none."""
        try:
            reply = client("s3").get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _no_object(exc):
                return None
            raise
        return bytes(reply["Body"].read()), str(reply["ETag"])

    def put_if(
        self,
        key: str,
        body: bytes,
        content_type: str,
        etag: str | None,
        metadata: dict[str, str] | None = None,
    ) -> bool:
        """Write the object only if it is still the one read (`etag`), or still absent (None). False: another
        writer replaced it meanwhile, and nothing was written."""
        condition = {"IfMatch": etag} if etag is not None else {"IfNoneMatch": "*"}
        try:
            client("s3").put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
                Metadata=metadata or {},
                **condition,
            )
        except ClientError as exc:
            # 412 when the object changed, 404 when it is gone (If-Match on a deleted report), 409 when
            # another conditional write to it was in flight
            lost = ("PreconditionFailed", "NoSuchKey", "ConditionalRequestConflict")
            if exc.response.get("Error", {}).get("Code") in lost:
                return False
            raise
        return True

    def put_unless_later(
        self,
        key: str,
        body: bytes,
        content_type: str,
        version: int,
        *,
        stale_above: Callable[[], int] | None = None,
    ) -> Versioned:
        """Write the object, of `version`, unless the one there is of a later version. Other writers may write
        between the look and the write, so the write is conditional on the object looked at (`put_if`), and
        the object looked at again when it lost, up to VERSIONED_ATTEMPTS times, a moment apart. An object
        with no version (written before versions were kept), or of a version above `stale_above()` (asked
        only of a later one, after the look: written before its ledger was reset below it), is older than
        any. "later": a later version is there; "contended": others replaced it at every attempt. Either way
        nothing was written."""
        for attempt in range(VERSIONED_ATTEMPTS):
            if attempt:
                _pause(attempt)
            try:
                there = client("s3").head_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if not _no_object(exc):
                    raise
                etag = None
            else:
                theirs = _object_version(there.get("Metadata", {}))
                if theirs > version and (stale_above is None or theirs <= stale_above()):
                    return "later"
                etag = str(there["ETag"])
            if self.put_if(key, body, content_type, etag, {VERSION_METADATA: str(version)}):
                return "written"
        return "contended"

    def list(self, prefix: str) -> list[str]:
        return list(self.modified(prefix))

    def tags(self, prefix: str) -> dict[str, str]:
        """The ETag of each object under the prefix: what changes when its content does."""
        return {obj["Key"]: str(obj["ETag"]) for obj in self._objects(prefix)}

    def modified(self, prefix: str) -> dict[str, datetime]:
        """When each object under the prefix was last written."""
        return {obj["Key"]: obj["LastModified"] for obj in self._objects(prefix)}

    def _objects(self, prefix: str) -> Iterator[dict[str, Any]]:
        """Every object under the prefix, as S3's listing describes it, page after page."""
        for page in client("s3").get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", [])

    def put_raw(self, article_id: str, body: bytes, content_type: str) -> str:
        return self.put(f"{RAW}{article_id}.html", body, content_type or "text/html")

    def _put_batch(
        self, prefix: str, basis: builtins.list[str], lines: builtins.list[dict[str, Any]], *, gzipped: bool
    ) -> str:
        """One object for a batch of records, JSON lines under `prefix`<day>/, each line stamped with when it
        was archived. The key is derived from `basis` (what makes each record what it is), so the same batch
        delivered again the same day replaces its object rather than adding one. One object a batch, not
        one a record: S3 bills each PUT, and at ten to a batch that is a tenth of one a record."""
        now = datetime.now(UTC)
        digest = hashlib.sha256("\n".join(sorted(basis)).encode()).hexdigest()[:32]
        body = "".join(
            json.dumps({"archived_at": now.isoformat(), **line}, ensure_ascii=False) + "\n" for line in lines
        ).encode()
        key = f"{prefix}{now:%Y/%m/%d}/{digest}.jsonl"
        if gzipped:
            return self.put(f"{key}.gz", gzip.compress(body, mtime=0), "application/gzip")
        return self.put(key, body, "application/x-ndjson")

    def put_articles(self, read: Sequence[tuple[Article, Analysis, str | None]]) -> str:
        """A batch of normalised articles, each with what was read in it and the key of its archived page
        (None: it had none), as one gzipped object under articles/."""
        return self._put_batch(
            ARTICLES,
            [f"{article.id}:{article.content_hash}" for article, _, _ in read],
            [
                {
                    "article": article.model_dump(mode="json"),
                    "analysis": analysis.model_dump(mode="json"),
                    "page_key": page_key,
                }
                for article, analysis, page_key in read
            ],
            gzipped=True,
        )

    def archived_articles(self) -> builtins.list[Archived]:
        """The latest copy of every archived article (a redelivered batch archives its articles again)."""
        latest: dict[str, Archived] = {}
        for key, written in self.modified(ARTICLES).items():
            for doc in self.articles(key):
                when = datetime.fromisoformat(doc["archived_at"]) if "archived_at" in doc else written
                article = Article.model_validate(doc["article"])
                if article.id not in latest or latest[article.id].when < when:
                    latest[article.id] = Archived(when, article, doc.get("page_key"))
        return list(latest.values())

    def put_pages(self, pages: Sequence[tuple[str, str | None, str]]) -> str:
        """A batch's pages, (article id, URL, page zlib-compressed and base64-encoded as it travelled), as
        one object under raw/."""
        return self._put_batch(
            RAW,
            [f"{article_id}:{hashlib.sha256(page.encode()).hexdigest()}" for article_id, _, page in pages],
            [{"article_id": article_id, "url": url, "page": page} for article_id, url, page in pages],
            gzipped=False,  # the pages travelled compressed already
        )

    def pages(self, key: str) -> dict[str, str]:
        """A batch of pages (raw/<day>/<digest>.jsonl): article id → the page, packed, as it travelled."""
        return {doc["article_id"]: doc["page"] for doc in map(json.loads, self.get(key).splitlines())}

    def articles(self, key: str) -> builtins.list[dict[str, Any]]:
        """The archived articles in one object under articles/: a batch (JSON lines, gzipped), or one
        article as archives before batches kept it ({"article": ..., "analysis": ...}, no `archived_at`)."""
        body = self.get(key)
        if body[:2] == b"\x1f\x8b":
            return [json.loads(line) for line in gzip.decompress(body).splitlines() if line.strip()]
        return [json.loads(body)]


def _batch_get(table: Any, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Every item of the keys that exists, a hundred keys a request (BatchGetItem's limit), consistently."""
    client = table.meta.client  # the resource's client: plain Python values, not {"S": ...}
    unique = list({json.dumps(k, sort_keys=True): k for k in keys}.values())
    items: list[dict[str, Any]] = []
    for start in range(0, len(unique), 100):
        request: dict[str, Any] = {table.name: {"Keys": unique[start : start + 100], "ConsistentRead": True}}
        while request:
            reply = client.batch_get_item(RequestItems=request)
            items.extend(dict(i) for i in reply.get("Responses", {}).get(table.name, []))
            request = reply.get("UnprocessedKeys") or {}
    return items


class FeedState:
    """Per-feed conditional GET validators and health, keyed by feed id."""

    def __init__(self, table_name: str) -> None:
        self.table = table(table_name)

    def get(self, feed_id: str) -> dict[str, Any]:
        return dict(self.table.get_item(Key={"feed_id": feed_id}, ConsistentRead=True).get("Item") or {})

    def get_many(self, feed_ids: list[str]) -> dict[str, dict[str, Any]]:
        items = _batch_get(self.table, [{"feed_id": f} for f in feed_ids])
        return {str(item["feed_id"]): item for item in items}

    def put(self, item: dict[str, Any]) -> None:
        self.table.put_item(Item=item)

    def record(self, feed_id: str, remove: tuple[str, ...] = (), **fields: Any) -> None:
        """Set the given fields and remove the named ones, in one write."""
        names = {f"#{k}": k for k in (*fields, *remove)}
        values = {f":{k}": v for k, v in fields.items()}
        expression = "SET " + ", ".join(f"#{k} = :{k}" for k in fields)
        if remove:
            expression += " REMOVE " + ", ".join(f"#{k}" for k in remove)
        self.table.update_item(
            Key={"feed_id": feed_id},
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )


# How long to keep sending what DynamoDB leaves unprocessed (throttling) before giving up: well inside the
# functions' timeouts, so the message fails with this error and comes back, rather than timing out.
UNPROCESSED_PATIENCE_SECONDS = 20.0


def _batch_put(puts: list[tuple[Any, dict[str, Any]]]) -> None:
    """Put each (table, item), twenty-five to a BatchWriteItem request, tables mixed; the caller names each
    key once (DynamoDB refuses a request that names one twice). What DynamoDB leaves unprocessed is sent
    again after a pause, as AWS advises, for up to UNPROCESSED_PATIENCE_SECONDS."""
    for start in range(0, len(puts), 25):
        chunk = puts[start : start + 25]
        client = chunk[0][0].meta.client  # the resource's client: plain Python values
        request: dict[str, list[dict[str, Any]]] = {}
        for tab, item in chunk:
            request.setdefault(tab.name, []).append({"PutRequest": {"Item": item}})
        waited, attempt = 0.0, 0
        while request := client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}:
            attempt += 1
            pause = min(0.05 * 2**attempt, 5.0)
            if waited + pause > UNPROCESSED_PATIENCE_SECONDS:
                left = sum(len(v) for v in request.values())
                raise RuntimeError(f"DynamoDB left {left} items unprocessed for {waited:.0f} s")
            time.sleep(pause)
            waited += pause


class Articles:
    """Every article read, a row each: what it is, where it is archived, and the fingerprint of the feed entry
    it was read from, by which FetchFeed knows an entry it has handed on before (in any feed)."""

    def __init__(self, table_name: str) -> None:
        self.table = table(table_name)

    def known(self, article_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The rows of the articles read before, by id (the others are absent)."""
        items = _batch_get(self.table, [{"article_id": a} for a in article_ids])
        return {str(item["article_id"]): item for item in items}

    def stored(self, article_id: str) -> tuple[str | None, str | None]:
        """(content hash, entry fingerprint) of the article as last read; (None, None) if never read."""
        item = self.table.get_item(Key={"article_id": article_id}, ConsistentRead=True).get("Item")
        if not item:
            return None, None
        return str(item["content_hash"]), str(item["fingerprint"]) if item.get("fingerprint") else None

    def note_fingerprint(self, article_id: str, content_hash: str, fingerprint: str) -> None:
        """An entry edited in the feed whose article reads the same: the row takes the entry's new
        fingerprint, so that FetchFeed does not hand it on again; only while the row still holds that
        text (another version read meanwhile keeps its own)."""
        try:
            self.table.update_item(
                Key={"article_id": article_id},
                UpdateExpression="SET fingerprint = :f",
                ConditionExpression=Attr("content_hash").eq(content_hash),
                ExpressionAttributeValues={":f": fingerprint},
            )
        except ClientError as exc:
            if not _conditional_failed(exc):  # the row is gone or holds another version: nothing to note
                raise

    def put_many(self, stored: Sequence[tuple[Article, Analysis, str | None]], archive_key: str) -> None:
        """Each article's row, pointing at the archive object that holds it, with the fingerprint of the feed
        entry it was read from, twenty-five to a request."""
        now = datetime.now(UTC).isoformat()
        items = {
            article.id: {
                "article_id": article.id,
                "content_hash": article.content_hash,
                **({"fingerprint": fingerprint} if fingerprint else {}),
                "url": article.url or "",
                "outlet": article.outlet or "",
                "title": article.title,
                "feed_id": article.feed_id or "",
                "published": article.published.isoformat() if article.published else "",
                "operations": [m.operation for m in analysis.matches],
                "archive_key": archive_key,
                "figures": len(analysis.figures),
                "stored_at": now,
            }
            for article, analysis, fingerprint in stored  # one link in two feeds, both in a batch: the last
        }
        _batch_put([(self.table, item) for item in items.values()])


@dataclass
class Undo:
    """What LedgerTable.apply overwrote: the article's claim rows as they were, the keys it wrote, and each
    other item it put with the item it replaced (None: there was none)."""

    article_id: str
    claim_rows: dict[tuple[str, str], dict[str, Any]]
    new_keys: set[tuple[str, str]]
    # (key, the item it replaced or None, the condition under which the item is still the one apply wrote)
    items: list[tuple[dict[str, str], dict[str, Any] | None, Any]] = field(default_factory=list)


# DynamoDB bills a write by each 1 KB of the item (the whole item, for an update) and a read by each 4 KB.
# An article's claims in the ledger or an alert (its sentences and sources) run to several kB of JSON (in a
# 400-article bench run, 186 texts over this size: 2.9 kB on average, up to 22 kB) and compress about
# fourfold, so text over this size is stored zlib-compressed, as Binary.
PACKED_OVER = 512


def _pack(text: str) -> str | bytes:
    """JSON text as it is stored: as it is when short, else compressed."""
    data = text.encode()
    return text if len(data) <= PACKED_OVER else zlib.compress(data, 6)


def _unpack(value: Any) -> str:
    """Stored text, compressed or not (items written before compression, and short texts, hold plain text)."""
    if isinstance(value, str):
        return value
    return zlib.decompress(value.value if isinstance(value, Binary) else bytes(value)).decode()


def _dump(claims: list[Claim]) -> str | bytes:
    return _pack(json.dumps([c.model_dump(mode="json") for c in claims]))


def _load(value: Any) -> list[Claim]:
    """The claims `_dump` stored."""
    return [Claim.model_validate(c) for c in json.loads(_unpack(value))]


def _claim_keys(operation: str, article_id: str, claims: list[Claim]) -> list[tuple[str, str]]:
    """Where an article's claims live: by metric, then place, article and position (in, then outside)."""
    return [(f"{operation}#{c.metric}", f"{c.scope}|{article_id}|{n:03d}") for n, c in enumerate(claims)]


def _query_all(table: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item a query finds, page after page."""
    items: list[dict[str, Any]] = []
    while True:
        reply = table.query(**kwargs)
        items.extend(reply.get("Items", []))
        if "LastEvaluatedKey" not in reply:
            return items
        kwargs["ExclusiveStartKey"] = reply["LastEvaluatedKey"]


Row = dict[str, Any]


@dataclass
class Replica:
    """A warm function's copy of one operation's ledger, good for exactly one version of it.

    Every judgement of an operation bumps its version (LedgerTable.commit), and UpdateLedger reads the version
    before judging anyway; the writes that do not bump it (syndicated stories, their index, resolved
    conflicts) come after a commit, from the function that made it. So what was read at a version, plus what
    this function then wrote itself, is the ledger as it stands, and need not be read again, as long as one
    operation is judged by one function at a time (the FIFO queue's promise; the version check catches the
    exception, whose uncommitted rows a copy read meanwhile could hold until the next version). Partitions
    are read whole the first time they are needed; single items (syndication index keys) as they are asked
    for, absence included. Any other version, a failed commit or an error: the copy is dropped.
    """

    version: int | None = None
    partitions: dict[str, dict[str, Row]] = field(default_factory=dict)  # pk → sk → item, complete
    points: dict[tuple[str, str], Row | None] = field(default_factory=dict)  # single items, None: absent

    def clear(self, version: int | None = None) -> None:
        self.version = version
        self.partitions.clear()
        self.points.clear()

    def put(self, item: Row) -> None:
        pk, sk = str(item["pk"]), str(item["sk"])
        if pk in self.partitions:
            self.partitions[pk][sk] = dict(item)
        if (pk, sk) in self.points:
            self.points[(pk, sk)] = dict(item)

    def delete(self, pk: str, sk: str) -> None:
        if pk in self.partitions:
            self.partitions[pk].pop(sk, None)
        if (pk, sk) in self.points:
            self.points[(pk, sk)] = None

    def lookup(self, pk: str, sk: str) -> tuple[bool, Row | None]:
        """(known, the item or None when absent)."""
        if pk in self.partitions:
            return True, self.partitions[pk].get(sk)
        if (pk, sk) in self.points:
            return True, self.points[(pk, sk)]
        return False, None


class LedgerTable:
    """The ledger in one table, every read a key lookup or a query on a key (no scans; with a replica, whole
    partitions read once):

    - `<op>#<metric>` / `<scope>|<article>|<n>`: one claim; same-place claims are the `<scope>|` prefix and a
      force's breakdown the `<scope>/` prefix, so a lookup does not grow with the number of operations;
    - `<op>#articles` / `<article>`: what each article put in, so an updated article replaces its claims;
    - `<op>#regions` / `<region>`: which article first reported the story for a region;
    - `<op>#conflicts` / `<metric>|<scope>|<key>`: conflicts alerted and not yet resolved;
    - `<op>#areas#<metric>` / `<force area>`: the lowest figure any source gave each force area;
    - `<op>#head` / `version`: bumped on every update, so concurrent updates of one operation retry
      instead of missing each other (the FIFO queue already serialises them; this makes it a rule);
      `<op>#head` / `report`: the version the operation's published report was written at;
    - `<op>#changed` / `<version>`: the articles an update that would make that version wrote rows for, so
      the next report reads only those (expires after CHANGES_KEPT);
    - `<op>#raised` / `<alert key>`: every alert the ledger raised, with the article that raised it, so an
      alert raised again by a later article (a total still exceeded) is known without a write;
    - `<op>#story` / `<article>`: a story's text sketch and every outlet that ran it (syndicated copies),
      keyed by the article that reached the ledger first; `<op>#sig#<hash>` / `-`: the story whose sketch
      has that hash among its smallest, so a copy is found by a few key lookups.
    """

    def __init__(self, table_name: str, replica: Replica | None = None) -> None:
        self.table = table(table_name)
        self.replica = replica  # UpdateLedger's warm copy; other readers go to the table every time

    def sync(self, operation: str) -> int:
        """The operation's version now; a replica at any other version is dropped."""
        version = self.version(operation)
        if self.replica is not None and self.replica.version != version:
            self.replica.clear(version)
        return version

    def _partition(self, pk: str) -> dict[str, Row]:
        assert self.replica is not None
        part = self.replica.partitions.get(pk)
        if part is None:
            items = _query_all(self.table, KeyConditionExpression=Key("pk").eq(pk), ConsistentRead=True)
            part = self.replica.partitions[pk] = {str(i["sk"]): dict(i) for i in items}
        return part

    def _query(self, pk: str, prefix: str) -> list[Row]:
        if self.replica is not None:
            part = self._partition(pk)
            return [part[sk] for sk in sorted(part) if sk.startswith(prefix)]  # the table's order of sk
        condition = Key("pk").eq(pk) & Key("sk").begins_with(prefix) if prefix else Key("pk").eq(pk)
        return _query_all(self.table, KeyConditionExpression=condition, ConsistentRead=True)

    def _get(self, pk: str, sk: str) -> Row | None:
        if self.replica is not None:
            return self._partition(pk).get(sk)
        return self._read(pk, sk)

    def _get_many(self, keys: list[dict[str, str]]) -> list[Row]:
        """The items of those keys that exist; with a replica, each key is read at most once."""
        if self.replica is None:
            return _batch_get(self.table, keys)
        found: list[Row] = []
        missing = []
        for key in keys:
            known, item = self.replica.lookup(key["pk"], key["sk"])
            if not known:
                missing.append(key)
            elif item is not None:
                found.append(item)
        fetched = (
            {(str(i["pk"]), str(i["sk"])): i for i in _batch_get(self.table, missing)} if missing else {}
        )
        for key in missing:
            item = fetched.get((key["pk"], key["sk"]))
            self.replica.points[(key["pk"], key["sk"])] = item
            if item is not None:
                found.append(item)
        return found

    def _mirror(self, item: Row) -> None:
        if self.replica is not None:
            self.replica.put(item)

    def claims_at(self, operation: str, metric: str, scope: str) -> list[Claim]:
        items = self._query(f"{operation}#{metric}", scope + "|")
        return [Claim.model_validate_json(i["claim"]) for i in items if i.get("in_operation", True)]

    def outside_at(self, operation: str, metric: str, scope: str) -> list[Claim]:
        items = self._query(f"{operation}#{metric}", scope + "|")
        return [Claim.model_validate_json(i["claim"]) for i in items if not i.get("in_operation", True)]

    def claims_below(self, operation: str, metric: str, scope: str) -> list[Claim]:
        items = self._query(f"{operation}#{metric}", scope + "/")
        return [Claim.model_validate_json(i["claim"]) for i in items if i.get("in_operation", True)]

    def all_claims(self, operation: str, metric: str) -> list[tuple[Claim, bool]]:
        items = self._query(f"{operation}#{metric}", "")
        return [(Claim.model_validate_json(i["claim"]), bool(i.get("in_operation", True))) for i in items]

    # syndicated copies ----------------------------------------------------------------------------------
    def story_of(self, operation: str, sig: list[int]) -> str | None:
        """The story this text is a near-duplicate of, if the ledger has one (at most two batched reads)."""
        keys = [{"pk": f"{operation}#sig#{h:016x}", "sk": "-"} for h in index_keys(sig)]
        candidates = {str(i["story"]) for i in self._get_many(keys)}
        if not candidates:
            return None
        stories = self._get_many([{"pk": f"{operation}#story", "sk": c} for c in sorted(candidates)])
        scored = sorted(
            ((resemblance(sig, json.loads(i["sketch"])), str(i["sk"])) for i in stories), reverse=True
        )
        return scored[0][1] if scored and scored[0][0] >= NEAR_DUPLICATE else None

    def found_story(self, operation: str, sig: list[int], origin: Source) -> None:
        """Start a story with this article as its first source, findable by its sketch's index keys. An
        edited first article that no longer resembles its old text keeps the outlets that ran it."""
        key = {"pk": f"{operation}#story", "sk": origin.article_id}
        sources = {origin.article_id: origin.model_dump_json()}
        reply = self.table.update_item(
            Key=key,
            UpdateExpression="SET sketch = :sketch, sources = if_not_exists(sources, :sources)",
            ExpressionAttributeValues={":sketch": json.dumps(sig), ":sources": sources},
            ReturnValues="ALL_NEW",
        )
        self._mirror(reply.get("Attributes") or {**key, "sketch": json.dumps(sig), "sources": sources})
        index = [
            {"pk": f"{operation}#sig#{h:016x}", "sk": "-", "story": origin.article_id}
            for h in index_keys(sig)
        ]
        with self.table.batch_writer() as batch:
            for item in index:
                batch.put_item(Item=item)
        for item in index:
            self._mirror(item)

    def join_story(self, operation: str, story: str, origin: Source) -> None:
        """Add an outlet's copy to a story's sources (a repeat changes nothing)."""
        reply = self.table.update_item(
            Key={"pk": f"{operation}#story", "sk": story},
            UpdateExpression="SET sources.#a = :source",
            ExpressionAttributeNames={"#a": origin.article_id},
            ExpressionAttributeValues={":source": origin.model_dump_json()},
            ReturnValues="ALL_NEW",
        )
        if reply.get("Attributes"):
            self._mirror(reply["Attributes"])

    def story_sources(self, operation: str, article_ids: list[str]) -> dict[str, list[Source]]:
        """For each article that began a story: every source that ran it, in order of publication."""
        keys = [{"pk": f"{operation}#story", "sk": a} for a in article_ids]
        out: dict[str, list[Source]] = {}
        for item in self._get_many(keys):
            sources = [Source.model_validate_json(v) for v in dict(item.get("sources") or {}).values()]
            sources.sort(
                key=lambda s: (
                    s.published is None,
                    s.published.timestamp() if s.published else 0.0,
                    s.outlet or "",
                )
            )
            out[str(item["sk"])] = sources
        return out

    def article_claims(self, operation: str, article_id: str) -> ArticleClaims:
        item = self._get(f"{operation}#articles", article_id)
        if item is None:
            return ArticleClaims()
        return ArticleClaims(
            claims=_load(item["claims"]),
            outside=_load(item["outside"]),
            revised=_load(item["revised"]),
            prior=_load(item.get("prior", "[]")),
        )

    def region_first_seen_by(self, operation: str, region: str) -> str | None:
        item = self._get(f"{operation}#regions", region)
        return str(item["article_id"]) if item else None

    def conflict_rounds(self, operation: str, metric: str, scope: str) -> dict[str, list[tuple[str, str]]]:
        rounds: dict[str, list[tuple[str, str]]] = {}
        for i in self._query(f"{operation}#conflicts", f"{metric}|{scope}|"):
            key = str(i["sk"]).split("|")[-1]
            rounds.setdefault(key.split("~")[0], []).append((key, str(i.get("status", "open"))))
        return rounds

    def open_conflicts(self, operation: str, metric: str, scope: str) -> list[Alert]:
        items = self._query(f"{operation}#conflicts", f"{metric}|{scope}|")
        return [Alert.model_validate_json(_unpack(i["alert"])) for i in items if i.get("status") == "open"]

    def area_lows(self, operation: str, metric: str) -> dict[str, int]:
        return {str(i["sk"]): int(i["low"]) for i in self._query(f"{operation}#areas#{metric}", "")}

    def raised(self, operation: str) -> dict[str, str]:
        """Alert key → the article that raised it, for every alert the operation's ledger raised."""
        return {str(i["sk"]): str(i["article_id"]) for i in self._query(f"{operation}#raised", "")}

    def mark_raised(self, operation: str, keys: list[str], article_id: str) -> None:
        """Remember that these alerts are raised (their records exist), twenty-five to a request."""
        items = [{"pk": f"{operation}#raised", "sk": key, "article_id": article_id} for key in keys]
        with self.table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for item in items:
                batch.put_item(Item=item)
        for item in items:
            self._mirror(item)

    def _read(self, pk: str, sk: str) -> Row | None:
        """One item read from the table itself, never the replica."""
        item = self.table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        return dict(item) if item else None

    def version(self, operation: str) -> int:
        item = self._read(f"{operation}#head", "version")
        return int(item["version"]) if item else 0

    def versions(self, operation: str) -> tuple[int, int, datetime | None]:
        """(the operation's version, the version its report was last written at (-1: never), when that
        report's ledger was last read whole), in one read."""
        items = {
            str(i["sk"]): i
            for i in _query_all(
                self.table, KeyConditionExpression=Key("pk").eq(f"{operation}#head"), ConsistentRead=True
            )
        }
        version = int(items["version"]["version"]) if "version" in items else 0
        report = items.get("report") or {}
        whole = report.get("read_whole_at")
        return (
            version,
            int(report["version"]) if "version" in report else -1,
            datetime.fromisoformat(str(whole)) if whole else None,
        )

    def mark_reported(
        self, operation: str, version: int, read_whole_at: datetime, *, reset: bool = False
    ) -> None:
        """Never backwards, unless the ledger itself was `reset` below the mark: a Roundup that read an older
        version and finished last leaves the mark."""
        condition = (
            {}
            if reset
            else {"ConditionExpression": Attr("version").not_exists() | Attr("version").lte(version)}
        )
        try:
            self.table.put_item(
                Item={
                    "pk": f"{operation}#head",
                    "sk": "report",
                    "version": version,
                    "read_whole_at": read_whole_at.isoformat(),
                },
                **condition,
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise

    def note_change(self, operation: str, version: int, article_id: str) -> None:
        """Before an article's rows are written for the commit that would make `version`: list it among that
        version's changes. Every committed version thus lists what it changed; an update that failed to
        commit and was undone is listed too, which only makes the report read that article again."""
        self.table.update_item(
            Key={"pk": f"{operation}#changed", "sk": f"{version:012d}"},
            UpdateExpression="ADD articles :a SET expires = :e",  # kept 14 days from its last change
            ExpressionAttributeValues={
                ":a": {article_id},
                ":e": int((datetime.now(UTC) + CHANGES_KEPT).timestamp()),
            },
        )

    def changes(self, operation: str, after: int, upto: int) -> set[str] | None:
        """The articles changed by the versions after `after` up to `upto`; None when one of those versions
        lists nothing (expired, or from before changes were listed), or when `upto` is before `after`: the
        ledger must then be read whole."""
        if upto < after:
            return None
        if upto == after:
            return set()
        items = _query_all(
            self.table,
            KeyConditionExpression=Key("pk").eq(f"{operation}#changed")
            & Key("sk").between(f"{after + 1:012d}", f"{upto:012d}"),
            ConsistentRead=True,
        )
        if len(items) != upto - after:
            return None
        return {str(a) for i in items for a in i.get("articles", set())}

    def now_saying(self, operation: str, article_ids: set[str]) -> dict[str, list[Claim]]:
        """What each of these articles puts in the operation's report now: its claims about the operation
        (none for an article no longer in the ledger)."""
        keys = [{"pk": f"{operation}#articles", "sk": a} for a in sorted(article_ids)]
        found = {str(i["sk"]): _load(i["claims"]) for i in _batch_get(self.table, keys)}
        return {a: found.get(a, []) for a in article_ids}

    def operation_claims(self, operation: str, metrics: list[str]) -> list[Claim]:
        """Every claim in the operation (for its report): one query per metric the operation tracks."""
        return [c for metric in metrics for c, inside in self.all_claims(operation, metric) if inside]

    def _claim_rows(
        self, operation: str, article_id: str, claims: list[Claim], outside: list[Claim]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        rows = [(c, True) for c in claims] + [(c, False) for c in outside]
        keys = _claim_keys(operation, article_id, [c for c, _ in rows])
        return {
            (pk, sk): {
                "pk": pk,
                "sk": sk,
                "claim": claim.model_dump_json(),
                "in_operation": in_operation,
                "article_id": article_id,
            }
            for (pk, sk), (claim, in_operation) in zip(keys, rows, strict=True)
        }

    def _write_rows(self, rows: dict[tuple[str, str], dict[str, Any]], remove: set[tuple[str, str]]) -> None:
        with self.table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for pk, sk in sorted(remove):
                batch.delete_item(Key={"pk": pk, "sk": sk})
            for item in rows.values():
                batch.put_item(Item=item)
        if self.replica is not None:
            for pk, sk in remove:
                self.replica.delete(pk, sk)
            for item in rows.values():
                self.replica.put(item)

    def apply(self, operation: str, article_id: str, update: LedgerUpdate) -> Undo:
        """Record an article's claims, replacing what an earlier version of it said, and its first-seen
        regions and area lows. Safe to repeat: every write is keyed by article and position. Returns what
        it overwrote, for `undo` should the update not be committed; if a write fails, what was written
        before it is undone and the error raised."""
        before = update.before
        rows = self._claim_rows(operation, article_id, update.claims, update.outside)
        old_rows = self._claim_rows(operation, article_id, before.claims, before.outside)
        undo = Undo(article_id=article_id, claim_rows=old_rows, new_keys=set(rows))
        try:
            self._write_rows(rows, set(old_rows) - set(rows))
            item: dict[str, Any] = {
                "pk": f"{operation}#articles",
                "sk": article_id,
                "claims": _dump(update.claims),
                "outside": _dump(update.outside),
                "revised": _dump(update.revised),
                "prior": _dump(update.prior),
            }
            undo.items.append(({"pk": item["pk"], "sk": article_id}, self._put_returning_old(item), None))
            for region in update.regions:
                key = {"pk": f"{operation}#regions", "sk": region}
                written, old = self._put_if(
                    {**key, "article_id": article_id},
                    Attr("pk").not_exists() | Attr("article_id").eq(article_id),
                )
                if written:
                    undo.items.append((key, old, Attr("article_id").eq(article_id)))
            for metric, lows in update.area_lows.items():
                for area, low in lows.items():
                    key = {"pk": f"{operation}#areas#{metric}", "sk": area}
                    written, old = self._put_if(
                        {**key, "low": low}, Attr("low").not_exists() | Attr("low").gt(low)
                    )
                    if written:
                        undo.items.append((key, old, Attr("low").eq(low)))
        except Exception:
            self.undo(operation, undo)
            raise
        return undo

    def undo(self, operation: str, undo: Undo) -> None:
        """Put back what `apply` overwrote: an update that could not be committed leaves no trace. A first
        sighting or area low is put back only while it still holds what `apply` wrote: another article's
        update, committed meanwhile, stays."""
        if self.replica is not None:
            self.replica.clear()  # read again from the table, once it is as it was
        self._write_rows(undo.claim_rows, undo.new_keys - set(undo.claim_rows))
        for key, old, still_ours in reversed(undo.items):
            condition = {"ConditionExpression": still_ours} if still_ours is not None else {}
            try:
                if old is None:
                    self.table.delete_item(Key=key, **condition)
                else:
                    self.table.put_item(Item=old, **condition)
            except ClientError as exc:
                if not _conditional_failed(exc):
                    raise

    def _put_returning_old(self, item: dict[str, Any]) -> dict[str, Any] | None:
        old = self.table.put_item(Item=item, ReturnValues="ALL_OLD").get("Attributes")
        self._mirror(item)
        return dict(old) if old else None

    def _put_if(self, item: dict[str, Any], condition: Any) -> tuple[bool, dict[str, Any] | None]:
        """(written, the item it replaced) for a conditional put; (False, None) when the condition failed."""
        try:
            old = self.table.put_item(Item=item, ConditionExpression=condition, ReturnValues="ALL_OLD")
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            return False, None
        self._mirror(item)
        attributes = old.get("Attributes")
        return True, dict(attributes) if attributes else None

    def commit(self, operation: str, version: int, update: LedgerUpdate) -> bool:
        """Bump the operation's version if nobody else did since `version` was read, recording the conflicts
        this update opened in the same transaction. False: judge again, the ledger moved on."""
        bump: dict[str, Any] = {
            "Key": {"pk": f"{operation}#head", "sk": "version"},
            "UpdateExpression": "SET version = :next",
            "ConditionExpression": "attribute_not_exists(version) OR version = :seen",
            "ExpressionAttributeValues": {":next": version + 1, ":seen": version},
        }
        if not update.opened:
            # the version alone: a conditional update, half the write units of a transaction of one item
            try:
                self.table.update_item(**bump)
            except ClientError as exc:
                if _conditional_failed(exc):
                    return False
                raise
            if self.replica is not None and self.replica.version == version:
                self.replica.version = version + 1
            return True
        # the resource's client takes plain Python values, as the table resource does
        items: list[dict[str, Any]] = [{"Update": {"TableName": self.table.name, **bump}}]
        rows = [
            {
                "pk": f"{operation}#conflicts",
                "sk": f"{alert.metric}|{alert.scope}|{alert.key}",
                "alert": _pack(alert.model_dump_json()),
                "status": "open",
            }
            for alert in update.opened[:99]  # a transaction holds 100 items
        ]
        items.extend({"Put": {"TableName": self.table.name, "Item": row}} for row in rows)
        try:
            self.table.meta.client.transact_write_items(TransactItems=items)
            if self.replica is not None and self.replica.version == version:
                for row in rows:
                    self.replica.put(row)
                self.replica.version = version + 1  # what it holds is the ledger at the new version
            return True
        except ClientError as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException" and reasons[
                :1
            ] == ["ConditionalCheckFailed"]:
                return False  # the version moved on; anything else (size, throttling) is a real failure
            raise

    def resolve(self, operation: str, conflicts: list[Alert]) -> None:
        for alert in conflicts:
            reply = self.table.update_item(
                Key={"pk": f"{operation}#conflicts", "sk": f"{alert.metric}|{alert.scope}|{alert.key}"},
                UpdateExpression="SET #s = :s",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": "resolved"},
                ReturnValues="ALL_NEW",
            )
            if reply.get("Attributes"):
                self._mirror(reply["Attributes"])


class AlertRecords:
    """One record per alert key: created once (pending), then marked with every newsroom and channel it was
    delivered to or held for."""

    def __init__(self, table_name: str) -> None:
        self.table = table(table_name)

    def create(self, alert: Alert) -> str:
        """'new' if this call created the record, else the existing record's status."""
        try:
            self.table.put_item(
                Item={
                    "alert_key": alert.key,
                    "status": "pending",
                    "alert": _pack(alert.model_dump_json()),
                    "created_at": alert.created_at.isoformat(),
                },
                ConditionExpression=Attr("alert_key").not_exists(),
            )
            return "new"
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
        item = self.table.get_item(Key={"alert_key": alert.key}, ConsistentRead=True).get("Item") or {}
        return str(item.get("status", "pending"))

    def delivered(self, key: str) -> set[str]:
        item = self.table.get_item(Key={"alert_key": key}, ConsistentRead=True).get("Item") or {}
        return {str(t) for t in item.get("delivered", set())}

    def mark_delivered(self, key: str, targets: set[str]) -> None:
        """Add the targets (`<newsroom>:<channel or reason>`) to the record's deliveries, in one write."""
        self.table.update_item(
            Key={"alert_key": key},
            UpdateExpression="ADD delivered :t SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":t": targets, ":s": "delivered"},
        )


@dataclass
class Held:
    """What HeldAlerts holds for one newsroom, as read at the start of a run (sk → item)."""

    items: dict[str, Row]

    def pending(self, reason: str) -> list[tuple[str, Alert]]:
        """The alerts held for the reason, in the order of their keys (reason, time, alert key)."""
        return [
            (sk, Alert.model_validate_json(_unpack(self.items[sk]["alert"])))
            for sk in sorted(self.items)
            if sk.startswith(f"{reason}#")
        ]

    def batch(self, reason: str) -> list[str] | None:
        """The held items a summary being sent is made of (None: no summary under way)."""
        item = self.items.get(f"~batch#{reason}")
        return [str(k) for k in item["keys"]] if item else None

    def last_sent(self, reason: str) -> datetime | None:
        item = self.items.get(f"~sent#{reason}")
        return datetime.fromisoformat(str(item["at"])) if item else None


class HeldAlerts:
    """Alerts held for a newsroom: for its digest, or for the summary of a backlog being caught up on.

    pk `newsroom`, sk `held` = `<reason>#<alert time>#<alert key>`: holding the same alert twice (SQS
    redelivery) writes the same item; a newsroom's pending alerts are one query; `~sent#<reason>` records when
    that reason was last sent.
    """

    def __init__(self, table_name: str) -> None:
        self.table = table(table_name)

    def hold(self, newsroom: str, reason: str, alert: Alert) -> None:
        self.table.put_item(
            Item={
                "newsroom": newsroom,
                "held": f"{reason}#{alert.created_at.isoformat()}#{alert.key}",
                "alert": _pack(alert.model_dump_json()),
            }
        )

    def read(self, newsroom: str) -> Held:
        """Everything held for the newsroom, summaries under way and when each reason was last sent: one
        query a newsroom a run. It reads the digest's held alerts on runs when no digest is due too: at most
        a digest period's alerts, a few read units, against three more requests a run."""
        items = _query_all(
            self.table, KeyConditionExpression=Key("newsroom").eq(newsroom), ConsistentRead=True
        )
        return Held({str(i["held"]): dict(i) for i in items})

    def release(self, newsroom: str, held: list[str]) -> None:
        with self.table.batch_writer() as batch:
            for sk in held:
                batch.delete_item(Key={"newsroom": newsroom, "held": sk})

    def start_batch(self, newsroom: str, reason: str, keys: list[str]) -> None:
        self.table.put_item(Item={"newsroom": newsroom, "held": f"~batch#{reason}", "keys": keys})

    def finish_batch(self, newsroom: str, reason: str, keys: list[str]) -> None:
        self.release(newsroom, [*keys, f"~batch#{reason}"])

    def mark_sent(self, newsroom: str, reason: str, at: datetime) -> None:
        self.table.put_item(Item={"newsroom": newsroom, "held": f"~sent#{reason}", "at": at.isoformat()})
