"""What running localangle costs on AWS: the one price table, and the model that turns a metered run into
dollars per million articles.

Prices are AWS's public on-demand list prices for EU (London), eu-west-2, the region the template is meant
for, as recorded on PRICES_READ; no free tier, no savings plans. They were written down by hand (this machine
has no network to AWS's price list API): check them against https://aws.amazon.com/pricing/ before relying on
them, and change them only here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

PRICES_READ = "2026-11-22"
PRICES_REGION = "eu-west-2"
PRICES: dict[str, float] = {
    # AWS Lambda, arm64 (Graviton): duration for the first 7.5 billion GB-seconds a month, and invocations
    "lambda_gb_second_arm64": 0.0000133334,
    "lambda_request": 0.20 / 1e6,
    # Amazon S3 Standard: PUT, COPY, POST and LIST requests; GET and all other requests
    "s3_put_request": 0.0053 / 1000,
    "s3_get_request": 0.00042 / 1000,
    # Amazon DynamoDB on-demand (standard table class): per write request unit (1 KB) and read request
    # unit (4 KB strongly consistent, or two eventually consistent reads)
    "dynamodb_write_unit": 0.7065 / 1e6,
    "dynamodb_read_unit": 0.1415 / 1e6,
    # Amazon SQS: per request (each 64 KB chunk of a payload is one request), standard and FIFO queues
    "sqs_request": 0.40 / 1e6,
    "sqs_fifo_request": 0.50 / 1e6,
    # Amazon SES: per email sent (each recipient is one email)
    "ses_email": 0.10 / 1000,
    # Amazon SNS: per publish (email topic, operations topic); email deliveries are priced per recipient
    "sns_publish": 0.50 / 1e6,
    # AWS Systems Manager Parameter Store, standard parameters at standard throughput: no charge
    "ssm_request": 0.0,
    # Amazon CloudWatch Logs: ingestion of the functions' log lines (standard log class)
    "logs_ingested_gb": 0.57,
}

# A Lambda function gets one full vCPU at 1,769 MB and a proportional share below it.
FULL_VCPU_MB = 1769

# What waiting costs, where the run on moto and 127.0.0.1 cannot show it: typical latencies from inside the
# region for each AWS service's requests, and for an outlet's web server (feeds, pages) across the internet.
# A function is billed while it waits, so these are part of its duration: the meter adds them up along each
# thread of an invocation (meter.py), as requests made in threads at once are waited for together.
LATENCY_MS: dict[str, float] = {
    "dynamodb": 6,
    "s3": 25,
    "sqs": 12,
    "ses": 40,
    "sns": 20,
    "ssm": 15,
    "http": 250,
}


@dataclass
class FunctionUse:
    """What one function did in a metered run."""

    memory_mb: int
    invocations: int = 0
    seconds: float = 0.0  # wall clock in the handler, on this machine, moto's own work included
    aws_seconds: float = 0.0  # of which moto's work answering AWS calls (the network's in AWS)
    requests: dict[str, int] = field(default_factory=dict)  # service → requests
    waits: float = 0.0  # seconds its requests would wait in AWS (LATENCY_MS), as the meter adds them up

    def compute_seconds(self) -> float:
        """Our own work: the handler's time without the time moto took to answer."""
        return max(0.0, self.seconds - self.aws_seconds)

    def gb_seconds(self) -> float:
        """Below a full vCPU, CPU-bound work runs slower in proportion to the memory, so it costs the same
        GB-seconds as at 1,769 MB; waiting is billed at the configured memory."""
        gb = self.memory_mb / 1024
        return self.compute_seconds() * max(gb, FULL_VCPU_MB / 1024) + self.waits * gb


@dataclass
class Usage:
    """Everything a metered run used, beyond the functions' own time."""

    functions: dict[str, FunctionUse] = field(default_factory=dict)
    s3_put: int = 0
    s3_get: int = 0
    dynamodb_write_units: float = 0.0
    dynamodb_read_units: float = 0.0
    sqs_requests: int = 0
    sqs_fifo_requests: int = 0
    ses_emails: int = 0
    sns_publishes: int = 0
    log_bytes: int = 0


def dollars(usage: Usage) -> dict[str, float]:
    """The run's cost in dollars, by item."""
    p = PRICES
    lambda_duration = sum(f.gb_seconds() for f in usage.functions.values()) * p["lambda_gb_second_arm64"]
    return {
        "lambda_duration": lambda_duration,
        "lambda_requests": sum(f.invocations for f in usage.functions.values()) * p["lambda_request"],
        "s3": usage.s3_put * p["s3_put_request"] + usage.s3_get * p["s3_get_request"],
        "dynamodb": usage.dynamodb_write_units * p["dynamodb_write_unit"]
        + usage.dynamodb_read_units * p["dynamodb_read_unit"],
        "sqs": usage.sqs_requests * p["sqs_request"] + usage.sqs_fifo_requests * p["sqs_fifo_request"],
        "ses": usage.ses_emails * p["ses_email"],
        "sns": usage.sns_publishes * p["sns_publish"],
        "logs": usage.log_bytes / 1e9 * p["logs_ingested_gb"],
    }


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2
