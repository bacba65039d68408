"""Drive the real handlers over moto's queues exactly as Lambda's event source mappings would.

The schedule handler gets an EventBridge scheduled event (events/schedule_feeds-scheduled.json with its time
set); each queue is received ten messages to a request, as Lambda's pollers do, into batches as its event
source sets them (`_receive_batch`), handed to its consumer as a real-shaped SQS event, and the messages the
handler did not report as failed are deleted. Failed ones become visible again and, after the
queue's maxReceiveCount, moto moves them to the dead-letter queue as SQS would.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import io
import json
import math
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from localangle.adapters.aws import client, region
from localangle.local.cloud import LocalCloud

Handler = Callable[[dict[str, Any], Any], Any]
ORDER = ["FeedQueue", "ArticleQueue", "LedgerQueue", "AlertQueue"]
PAYLOAD_LIMIT = 6 * 1024 * 1024  # what one invocation's event may carry (the records' bodies, roughly)


@dataclass
class FakeContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    timeout_seconds: float = 60.0  # the function's Timeout: its time left counts down from it
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{region()}:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


def load_handler(functions_dir: Path, name: str) -> Handler:
    """Import functions/<name>/app.py as its own module, as Lambda would, and return its handler."""
    path = functions_dir / name / "app.py"
    module_name = f"localangle_function_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    handler: Handler = module.handler
    return handler


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    records = []
    for m in messages:
        records.append(
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region(),
            }
        )
    return {"Records": records}


@dataclass
class Flow:
    cloud: LocalCloud
    root: Path
    handlers: dict[str, Handler] = field(default_factory=dict)
    invocations: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    delivered: list[dict[str, Any]] = field(default_factory=list)  # AlertQueue bodies handled successfully
    consumed: dict[str, int] = field(default_factory=dict)  # queue → messages its consumer handled
    # queue → what SQS bills its receives as: each 64 KB of the messages a receive returns is one request
    receive_chunks: dict[str, int] = field(default_factory=dict)
    # Tests set this to see every message more than once, or in another order (at-least-once delivery).
    deliver: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None
    # What a function prints (Powertools' EMF metrics) goes where Lambda sends it: the log, not the terminal.
    stdout: io.TextIOBase | Any = field(default_factory=io.StringIO)
    current: str | None = None  # the function running now (what a meter of AWS requests charges them to)
    busy: dict[str, float] = field(default_factory=dict)  # seconds each function ran, wall clock
    overflow: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # received past a batch's 6 MB
    timeouts: dict[str, float] = field(default_factory=dict)  # each function's Timeout, from the template

    def __post_init__(self) -> None:
        functions = self.root / "functions"
        for name in ("schedule_feeds", "roundup", *self.cloud.queue_consumers().values()):
            self.handlers[name] = load_handler(functions, name)
        resources = self.cloud.template["Resources"].values()
        default = float(self.cloud.template.get("Globals", {}).get("Function", {}).get("Timeout", 3))
        self.timeouts = {
            Path(str(r["Properties"]["CodeUri"])).name: float(r["Properties"].get("Timeout", default))
            for r in resources
            if r["Type"] == "AWS::Serverless::Function"
        }

    def schedule(self, when: datetime) -> dict[str, Any]:
        event = json.loads((self.root / "events" / "schedule_feeds-scheduled.json").read_text())
        event["time"] = when.isoformat().replace("+00:00", "Z")
        return self._call("schedule_feeds", event)

    def roundup(self, when: datetime) -> dict[str, Any]:
        event = json.loads((self.root / "events" / "roundup-scheduled.json").read_text())
        event["time"] = when.isoformat().replace("+00:00", "Z")
        return dict(self._call("roundup", event))

    def _call(self, name: str, event: dict[str, Any]) -> Any:
        self.invocations[name] = self.invocations.get(name, 0) + 1
        self.current, start = name, time.perf_counter()
        try:
            with contextlib.redirect_stdout(self.stdout):
                context = FakeContext(function_name=f"localangle-{name}", timeout_seconds=self.timeouts[name])
                return self.handlers[name](event, context)
        finally:
            self.busy[name] = self.busy.get(name, 0.0) + time.perf_counter() - start
            self.current = None

    def drain(self, max_batches: int = 10_000) -> None:
        """Run every queue's consumer until all queues are empty, upstream queues first."""
        consumers = self.cloud.queue_consumers()
        for _ in range(max_batches):
            for queue in ORDER:
                url = self.cloud.queue_url(queue)
                messages = self._receive_batch(queue, url)
                if messages:
                    self._consume(queue, consumers[queue], url, messages)
                    break
            else:
                return
        raise RuntimeError("the queues did not drain")

    def _receive_batch(self, queue: str, url: str) -> list[dict[str, Any]]:
        """One invocation's messages, as the event source mapping gathers them: without a batching window,
        what one receive returns (up to ten, fewer if the BatchSize is smaller); with one, receives until
        the BatchSize is reached, the queue is empty or the payload would pass Lambda's 6 MB (the queue here
        holds all it will get before the window closes). Messages received past the payload start the next
        batch, still in flight, as the poller keeps them: they are not received again, which SQS would count
        towards their dead-letter queue."""
        sqs = client("sqs")
        size, window = self.cloud.batching(queue)
        messages: list[dict[str, Any]] = []
        payload = 0

        def take(received: list[dict[str, Any]]) -> bool:
            """Add what fits; the rest waits for the next batch. False once the batch is full."""
            nonlocal payload
            for n, m in enumerate(received):
                body = len(m["Body"].encode())
                if messages and payload + body > PAYLOAD_LIMIT:
                    self.overflow.setdefault(queue, []).extend(received[n:])
                    return False
                messages.append(m)
                payload += body
            return True

        room = take(self.overflow.pop(queue, []))
        while room and len(messages) < size:
            reply = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(10, size - len(messages)),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                VisibilityTimeout=30,
            )
            received = reply.get("Messages", [])
            if not received:
                break
            chunk = sum(len(m["Body"].encode()) for m in received)
            self.receive_chunks[queue] = self.receive_chunks.get(queue, 0) + math.ceil(chunk / 65536)
            room = take(received) and bool(window)
        return messages

    def _consume(self, queue: str, function: str, url: str, messages: list[dict[str, Any]]) -> None:
        sqs = client("sqs")
        batch = self.deliver(copy.deepcopy(messages)) if self.deliver else messages
        try:
            result = self._call(function, sqs_event(batch, self.cloud.physical[queue]["Arn"]))
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        except Exception:  # the whole batch failed (Powertools raises then): Lambda retries every message
            failed = {m["MessageId"] for m in messages}
        self.failures[function] = self.failures.get(function, 0) + len(failed)
        for m in messages:
            if m["MessageId"] in failed:
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
                )
                continue
            self.consumed[queue] = self.consumed.get(queue, 0) + 1
            if queue == "AlertQueue":
                self.delivered.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def dead_letters(self) -> dict[str, int]:
        """Messages waiting in each dead-letter queue of the template (every queue whose id ends in DLQ)."""
        sqs = client("sqs")
        out = {}
        for lid, res in self.cloud.template["Resources"].items():
            if res["Type"] == "AWS::SQS::Queue" and lid.endswith("DLQ"):
                attrs = sqs.get_queue_attributes(
                    QueueUrl=self.cloud.queue_url(lid), AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"]
                out[lid] = int(attrs["ApproximateNumberOfMessages"])
        return out
