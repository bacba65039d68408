"""Faults injected into AWS calls at botocore's before-send hook, where moto answers requests.

The injector takes moto's place on the hook and hands a request on to moto only when no fault is armed for
it, so a refused request is never carried out, as with AWS: the client gets what AWS answers when it throttles
or fails (the status, headers and error body of the service's protocol). What is tested is botocore's own
retry policy and what the functions do when retries run out. botocore's backoff is recorded, not slept.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.endpoint
import botocore.session
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

from localangle.adapters import aws


@dataclass
class Fault:
    operation: str  # "dynamodb.UpdateItem", as botocore names events
    code: str
    status: int
    times: int  # how many calls in a row fail; -1: every call until cleared
    where: str = ""  # only requests whose URL or body names this (a key, a queue, a table), when given
    fired: int = 0

    def matches(self, operation: str, request: Any) -> bool:
        if self.operation != operation or not (self.times < 0 or self.fired < self.times):
            return False
        body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
        return self.where in request.url or self.where.encode() in body


def error_response(service: str, code: str, status: int, url: str) -> AWSResponse:
    """What the service answers for an error, in its own protocol."""
    model = botocore.session.get_session().get_service_model(service)
    request_id = str(uuid.uuid4())
    message = f"injected {code}"
    if model.protocol == "json":
        prefix = model.metadata.get("targetPrefix", service)
        headers = {
            "x-amzn-RequestId": request_id,
            "Content-Type": f"application/x-amz-json-{model.metadata.get('jsonVersion', '1.0')}",
            "x-amzn-query-error": f"{code};Sender",  # SQS answers query-compatible codes too
        }
        body = json.dumps({"__type": f"com.amazonaws.{prefix.lower()}#{code}", "message": message})
    elif model.protocol == "rest-xml":
        headers = {"x-amz-request-id": request_id, "Content-Type": "application/xml"}
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId>"
        body += "</Error>"
    elif model.protocol == "query":
        headers = {"x-amzn-RequestId": request_id, "Content-Type": "text/xml"}
        kind = "Sender" if status < 500 else "Receiver"
        body = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    else:
        raise ValueError(f"no error shape for {service}'s protocol {model.protocol}")
    return AWSResponse(url, status, headers, MockRawResponse(body.encode()))


class AwsFaults:
    """Arm faults on AWS operations; every client created while this is active sees them.

    Enter it inside the world (moto gives each mock its own default session); it replaces the cached clients.
    `calls` counts every request per operation, faulted or not; `sleeps` is botocore's backoff."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.calls: dict[str, int] = {}
        self.sleeps: list[float] = []

    def fail(self, operation: str, code: str, status: int = 400, times: int = 1, where: str = "") -> Fault:
        fault = Fault(operation, code, status, times, where)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults = []

    def __call__(self, request: Any, event_name: str, **kwargs: Any) -> AWSResponse | None:
        operation = event_name.removeprefix("before-send.")
        self.calls[operation] = self.calls.get(operation, 0) + 1
        for fault in self.faults:
            if fault.matches(operation, request):
                fault.fired += 1
                return error_response(operation.split(".")[0], fault.code, fault.status, request.url)
        response: AWSResponse | None = botocore_stubber(event_name=event_name, request=request, **kwargs)
        return response

    def __enter__(self) -> AwsFaults:
        boto3.setup_default_session()
        assert boto3.DEFAULT_SESSION is not None
        # botocore emits before-send to every handler and takes the first answer: moto must not see a request
        # that fails, or it would carry it out anyway
        boto3.DEFAULT_SESSION.events.unregister("before-send", botocore_stubber)
        boto3.DEFAULT_SESSION.events.register_first("before-send", self)
        self._time = botocore.endpoint.time  # type: ignore[attr-defined]
        botocore.endpoint.time = SimpleNamespace(sleep=self.sleeps.append)  # type: ignore[attr-defined]
        aws.reset()
        return self

    def __exit__(self, *exc: object) -> None:
        botocore.endpoint.time = self._time  # type: ignore[attr-defined]
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.unregister("before-send", self)
        boto3.DEFAULT_SESSION.events.register("before-send", botocore_stubber)
        aws.reset()
