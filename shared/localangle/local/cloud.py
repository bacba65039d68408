"""Create, inside moto, the tables, queues, bucket and topic that template.yaml declares.

The definitions (key schemas, FIFO flags, redrive policies, TTL) are read from the template itself, so local
runs and tests cannot drift from what is deployed. The functions' environment is resolved the same way.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from localangle.adapters.aws import client, region


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub, ...) read as their long forms."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_template(path: Path) -> dict[str, Any]:
    return dict(yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader))


@dataclass
class LocalCloud:
    """The resources created for one local world and the environment the functions see in it."""

    template: dict[str, Any]
    physical: dict[str, dict[str, str]] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def queue_url(self, logical_id: str) -> str:
        return self.physical[logical_id]["Ref"]

    @property
    def schedule_every(self) -> timedelta:
        """How often the schedule runs (the template's ScheduleMinutes): a local world's tick, so that the
        functions, which are told the same rate, find feeds due as they would in AWS."""
        return timedelta(minutes=int(self.parameters["ScheduleMinutes"]))

    def queue_consumers(self) -> dict[str, str]:
        """Queue logical id → function folder, from each function's SQS event source."""
        return {queue: function for queue, (function, _) in self._sqs_sources().items()}

    def batching(self, queue: str) -> tuple[int, int]:
        """(BatchSize, MaximumBatchingWindowInSeconds) of the queue's event source: Lambda's defaults are 10
        and no window."""
        properties = self._sqs_sources()[queue][1]
        return int(properties.get("BatchSize", 10)), int(properties.get("MaximumBatchingWindowInSeconds", 0))

    def _sqs_sources(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """Queue logical id → (function folder, the properties of its SQS event source)."""
        out = {}
        for res in self.template["Resources"].values():
            if res["Type"] != "AWS::Serverless::Function":
                continue
            for event in (res["Properties"].get("Events") or {}).values():
                if event["Type"] == "SQS":
                    queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
                    out[queue] = (Path(res["Properties"]["CodeUri"]).name, event["Properties"])
        return out


def build(template_path: Path, parameters: dict[str, str] | None = None) -> LocalCloud:
    """Create every table, queue, bucket and topic of the template (moto must be active)."""
    template = load_template(template_path)
    cloud = LocalCloud(template)
    for name, spec in template.get("Parameters", {}).items():
        cloud.parameters[name] = str(spec.get("Default", ""))
    cloud.parameters.update(parameters or {})
    suffix = uuid.uuid4().hex[:8]
    resources = template["Resources"]
    queues = [lid for lid, r in resources.items() if r["Type"] == "AWS::SQS::Queue"]
    queues.sort(key=lambda lid: "RedrivePolicy" in resources[lid].get("Properties", {}))  # DLQs first
    for lid in queues:
        _queue(cloud, lid, resources[lid].get("Properties", {}), suffix)
    for lid, res in resources.items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::DynamoDB::Table":
            _table(cloud, lid, props, suffix)
        elif res["Type"] == "AWS::S3::Bucket":
            name = f"localangle-{lid.lower()}-{suffix}"
            client("s3").create_bucket(
                Bucket=name, CreateBucketConfiguration={"LocationConstraint": region()}
            )
            cloud.physical[lid] = {"Ref": name, "Arn": f"arn:aws:s3:::{name}"}
        elif res["Type"] == "AWS::SNS::Topic":
            arn = client("sns").create_topic(Name=f"localangle-{lid}-{suffix}")["TopicArn"]
            cloud.physical[lid] = {"Ref": arn, "TopicArn": arn}
    variables = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    cloud.env = {key: str(_resolve(cloud, value)) for key, value in variables.items()}
    return cloud


def _resolve(cloud: LocalCloud, value: Any) -> Any:
    if isinstance(value, dict) and "Ref" in value:
        ref = value["Ref"]
        if ref in cloud.parameters:
            return cloud.parameters[ref]
        return cloud.physical[ref]["Ref"]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        lid, attr = value["Fn::GetAtt"]
        return cloud.physical[lid][attr]
    if isinstance(value, dict):
        return {k: _resolve(cloud, v) for k, v in value.items()}
    return value


def _queue(cloud: LocalCloud, lid: str, props: dict[str, Any], suffix: str) -> None:
    fifo = bool(props.get("FifoQueue"))
    name = f"localangle-{lid}-{suffix}" + (".fifo" if fifo else "")
    attributes: dict[str, str] = {}
    for key in (
        "VisibilityTimeout",
        "MessageRetentionPeriod",
        "MaximumMessageSize",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
    ):
        if key in props:
            value = props[key]
            attributes[key] = str(value).lower() if isinstance(value, bool) else str(value)
    if fifo:
        attributes["FifoQueue"] = "true"
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(_resolve(cloud, props["RedrivePolicy"]))
    url = client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    cloud.physical[lid] = {"Ref": url, "Arn": arn, "QueueName": name, "QueueUrl": url}


def _table(cloud: LocalCloud, lid: str, props: dict[str, Any], suffix: str) -> None:
    name = f"localangle-{lid}-{suffix}"
    dynamodb = client("dynamodb")
    dynamodb.create_table(
        TableName=name,
        KeySchema=props["KeySchema"],
        AttributeDefinitions=props["AttributeDefinitions"],
        BillingMode=props.get("BillingMode", "PAY_PER_REQUEST"),
    )
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    arn = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
    cloud.physical[lid] = {"Ref": name, "Arn": arn}
