"""Every AWS request the functions make in a local world, counted with botocore's event hooks and charged to
the function that made it, with what AWS would bill for it (S3 request classes, DynamoDB request units, SQS
64 KB chunks, SES recipients).

Requests are counted at `before-send`, once per attempt (a retried request is billed again); the CPU time
moto spends answering each API call is taken, in the calling thread, from `before-call` to `after-call`.

What a function waits for, billed in AWS but instant here, is modelled from the requests it makes (each
AWS request and each page or feed fetched waits `cost.LATENCY_MS`) along each thread: an invocation waits
for the requests of the thread that ran the handler, plus those of its busiest worker thread (FetchFeed polls
a batch's feeds in threads at once), not for the sum of every thread's.

The hooks are registered on boto3's default session, where moto answers, and the cached clients are
replaced so that they carry them.

A single-item DynamoDB write (PutItem, UpdateItem, DeleteItem) is priced once per call, on the larger of the
item before and after it (an UpdateItem that sets one
attribute of a 4 kB item costs four units; a failed conditional write still costs the item's size), so the
meter reads the item on each side of a single-item write with a client of its own session, which it does not
count; the time that takes is kept out of the function's own work.
"""

from __future__ import annotations

import base64
import json
import math
import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl

import boto3
import botocore.exceptions
from boto3.dynamodb.types import TypeSerializer

from localangle.adapters import aws
from localangle.adapters.http import HttpClient
from localangle.cost import LATENCY_MS, read_units, write_units
from localangle.local.driver import Flow

SINGLE_WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
S3_PUT_CLASS = {"PutObject", "CopyObject", "ListObjectsV2", "ListObjects", "CreateMultipartUpload"}
OUTSIDE = "(driver)"  # requests made outside any function: the local event source mappings, set-up


class AwsMeter:
    """Counts while active; `calls[function][service.Operation]` and the billing quantities below."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.calls: dict[str, Counter[str]] = {}
        self.aws_seconds: dict[str, float] = {}
        self.write_units: dict[str, float] = {}  # DynamoDB write units by function
        # S3 requests by class, SQS requests (64 KB chunks), SES recipients, SNS publishes: by function
        self.billed: dict[str, Counter[str]] = {}
        self.read_units: dict[str, float] = {}  # DynamoDB read units by function
        self._peeker: Any = None
        self._keys: dict[str, tuple[str, ...]] = {}
        # (function, invocation, thread) → milliseconds its requests would wait in AWS
        self._waits: dict[tuple[str, int, int], float] = {}
        self._main = threading.get_ident()  # the thread the local driver runs handlers in
        self._lock = threading.RLock()  # the hooks run in every thread that makes a request
        self._http_get: Any = None

    def wait_seconds(self, function: str) -> float:
        """How long the function's invocations would wait on other services in all: for each, what the
        handler's own thread waits, plus the longest wait of any other thread it ran."""
        main: dict[int, float] = {}
        others: dict[int, float] = {}
        for (name, invocation, thread), ms in self._waits.items():
            if name != function:
                continue
            if thread == self._main:
                main[invocation] = main.get(invocation, 0.0) + ms
            else:
                others[invocation] = max(others.get(invocation, 0.0), ms)
        return (sum(main.values()) + sum(others.values())) / 1000

    def _wait(self, function: str, ms: float) -> None:
        key = (function, self.flow.invocations.get(function, 0), threading.get_ident())
        self._waits[key] = self._waits.get(key, 0.0) + ms

    @property
    def dynamodb_write_units(self) -> float:
        return sum(self.write_units.values())

    @property
    def dynamodb_read_units(self) -> float:
        return sum(self.read_units.values())

    def function_calls(self) -> dict[str, Counter[str]]:
        """What the functions asked of AWS, without what the local driver did in Lambda's place."""
        return {name: c for name, c in self.calls.items() if name != OUTSIDE}

    def _function(self) -> str:
        return self.flow.current or OUTSIDE

    def _before_send(self, request: Any, event_name: str, **kwargs: Any) -> None:
        with self._lock:
            self._count(request, event_name)

    def _count(self, request: Any, event_name: str) -> None:
        service, operation = event_name.split(".")[1:3]
        function = self._function()
        self.calls.setdefault(function, Counter())[f"{service}.{operation}"] += 1
        if function == OUTSIDE:
            return  # not the product's request: Lambda's pollers are priced from the invocations instead
        self._wait(function, LATENCY_MS.get(service, 10))
        body = request.body or b""
        size = len(body) if isinstance(body, bytes | str) else 0
        billed = self.billed.setdefault(function, Counter())
        if service == "s3":
            billed["s3_put" if operation in S3_PUT_CLASS else "s3_get"] += 1
        elif service == "sqs":
            chunks = max(1, math.ceil(size / 65536))
            fifo = _queue_url(_bytes(body)).endswith(".fifo")
            billed["sqs_fifo_requests" if fifo else "sqs_requests"] += chunks
        elif service == "ses" and operation in ("SendEmail", "SendRawEmail"):
            fields = parse_qsl(_bytes(body).decode())
            billed["ses_emails"] += sum(1 for k, _ in fields if ".member." in k and "Addresses" in k) or 1
        elif service == "sns" and operation == "Publish":
            billed["sns_publishes"] += 1
        elif service == "dynamodb" and operation not in SINGLE_WRITES:
            self._add_writes(function, _dynamodb_writes(operation, _bytes(body)))

    def _add_writes(self, function: str, units: float) -> None:
        self.write_units[function] = self.write_units.get(function, 0.0) + units

    def _item_size(self, body: bytes) -> int:
        """The size of the item a single-item write names, as it is now (0: none), read unmetered."""
        try:
            request = json.loads(body or b"{}")
            key = request.get("Key") or {
                name: request["Item"][name] for name in self._key_names(request["TableName"])
            }
            item = self._peeker.get_item(TableName=request["TableName"], Key=key, ConsistentRead=True)
        except (ValueError, KeyError, botocore.exceptions.ClientError):
            return 0
        return _size(item["Item"]) if "Item" in item else 0

    def _key_names(self, table: str) -> tuple[str, ...]:
        if table not in self._keys:
            schema = self._peeker.describe_table(TableName=table)["Table"]["KeySchema"]
            self._keys[table] = tuple(k["AttributeName"] for k in schema)
        return self._keys[table]

    def _before_call(
        self, event_name: str, params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        service, operation = event_name.split(".")[1:3]
        body = _bytes(params.get("body", b""))
        if service == "dynamodb" and operation in SINGLE_WRITES and self._function() != OUTSIDE:
            peeked = time.thread_time()
            context["meter_item_before"] = self._item_size(body)
            context["meter_peek_seconds"] = time.thread_time() - peeked
        context["meter_started"] = time.thread_time()
        context["meter_body"] = body

    def _after_call(self, event_name: str, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        with self._lock:
            self._charge(event_name, parsed, context)

    def _charge(self, event_name: str, parsed: dict[str, Any], context: dict[str, Any]) -> None:
        started = context.get("meter_started")
        if started is None:
            return
        function = self._function()
        spent = time.thread_time() - started + context.get("meter_peek_seconds", 0.0)
        service, operation = event_name.split(".")[1:3]
        body = _bytes(context.get("meter_body"))
        if service == "dynamodb" and function != OUTSIDE:
            units = _dynamodb_reads(operation, body, parsed)
            self.read_units[function] = self.read_units.get(function, 0.0) + units
            if operation in SINGLE_WRITES:
                peeked = time.thread_time()
                after = self._item_size(body)
                spent += time.thread_time() - peeked
                sent = _dynamodb_writes(operation, body) if operation == "PutItem" else 0
                size = max(context.get("meter_item_before", 0), after)
                self._add_writes(function, max(sent, write_units(size)))
        self.aws_seconds[function] = self.aws_seconds.get(function, 0.0) + spent

    def __enter__(self) -> AwsMeter:
        events = boto3._get_default_session().events  # the session moto (and any fault injector) is on
        events.register_first("before-send", self._before_send)
        events.register("before-call", self._before_call)
        events.register("after-call", self._after_call)
        aws.reset()  # clients copy the session's hooks when made: make them again
        region = aws.client("dynamodb").meta.region_name
        self._peeker = boto3.session.Session().client("dynamodb", region_name=region)  # unmetered
        self._http_get = HttpClient.get
        meter = self

        def get(client: HttpClient, url: str, **kwargs: Any) -> Any:
            with meter._lock:
                meter._wait(meter._function(), LATENCY_MS["http"])
            return meter._http_get(client, url, **kwargs)

        HttpClient.get = get  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        assert boto3.DEFAULT_SESSION is not None
        events = boto3.DEFAULT_SESSION.events
        events.unregister("before-send", self._before_send)
        events.unregister("before-call", self._before_call)
        events.unregister("after-call", self._after_call)
        HttpClient.get = self._http_get  # type: ignore[method-assign]
        aws.reset()


def _bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return b""


def _queue_url(body: bytes) -> str:
    """The QueueUrl of an SQS request (JSON protocol, or the older query protocol)."""
    try:
        return str(json.loads(body or b"{}").get("QueueUrl", ""))
    except ValueError:
        return dict(parse_qsl(body.decode(errors="replace"))).get("QueueUrl", "")


def _size(item: Any) -> int:
    """An item's size as DynamoDB bills it: each attribute's name and value in UTF-8 bytes (numbers about a
    byte per two digits, a list or map 3 bytes and a byte per element on top of its elements, a boolean or
    null 1), not the size of its JSON on the wire, which names every type. Items in the wire's typed form
    ({"S": "..."}) and as plain values are both read."""
    if not isinstance(item, dict):
        return 0
    return sum(len(str(name).encode()) + _value_size(value) for name, value in item.items())


_TYPES = {"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"}
_TYPED = TypeSerializer()  # a plain value (a resource's reply) into the wire's typed form


def _value_size(value: Any) -> int:
    if not (isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _TYPES):
        try:
            value = _TYPED.serialize(value)
        except TypeError:  # not a DynamoDB type (a float): as text
            return len(str(value).encode())
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return _number_size(str(inner))
    if kind == "B":
        return len(base64.b64decode(inner)) if isinstance(inner, str) else len(bytes(inner))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(str(k).encode()) + _value_size(v) for k, v in inner.items())
    if kind == "NS":
        return sum(_number_size(str(v)) for v in inner)
    return sum(len(v.encode()) if isinstance(v, str) else len(bytes(v)) for v in inner)  # SS, BS


def _number_size(text: str) -> int:
    digits = sum(c.isdigit() for c in text.lstrip("-0.") or "0")
    return min(21, (digits + 1) // 2 + 1)


def _dynamodb_writes(operation: str, body: bytes) -> float:
    """Write request units of one request, from the items it writes (a transaction costs twice)."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return 1
    if operation == "PutItem":
        return write_units(_size(request.get("Item", {})))
    if operation in ("UpdateItem", "DeleteItem"):
        return write_units(len(body))
    if operation == "BatchWriteItem":
        return sum(
            write_units(_size(w["PutRequest"]["Item"])) if "PutRequest" in w else 1
            for writes in request.get("RequestItems", {}).values()
            for w in writes
        )
    if operation == "TransactWriteItems":
        return 2 * sum(
            write_units(_size(i["Put"]["Item"])) if "Put" in i else write_units(_size(i))
            for i in request.get("TransactItems", [])
        )
    return 0


def _dynamodb_reads(operation: str, body: bytes, parsed: dict[str, Any]) -> float:
    """Read request units of one request, from the items it returned (none for a refused request)."""
    if "Error" in parsed:
        return 0
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        request = {}
    consistent = bool(request.get("ConsistentRead"))
    if operation == "GetItem":
        return read_units(_size(parsed.get("Item", {})), consistent)
    if operation in ("Query", "Scan"):
        return read_units(sum(_size(i) for i in parsed.get("Items", [])), consistent)
    if operation == "BatchGetItem":
        # every key read costs at least the minimum, found or not (AWS: "If you perform a read operation on
        # an item that does not exist, DynamoDB still consumes read capacity"); unprocessed keys cost nothing
        asked = request.get("RequestItems", {})
        responses = parsed.get("Responses", {})
        unprocessed = parsed.get("UnprocessedKeys", {})
        units = 0.0
        for table, ask in asked.items():
            consistent = bool(ask.get("ConsistentRead"))
            found = responses.get(table, [])
            units += sum(read_units(_size(item), consistent) for item in found)
            missing = len(ask.get("Keys", [])) - len(found) - len(unprocessed.get(table, {}).get("Keys", []))
            units += max(0, missing) * read_units(0, consistent)
        return units
    if operation == "TransactGetItems":
        return 2 * sum(read_units(_size(r.get("Item", {})), True) for r in parsed.get("Responses", []))
    return 0
