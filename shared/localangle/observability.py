"""The one Logger, Tracer and Metrics of the service; every module logs through these."""

from __future__ import annotations

import logging
import os

from aws_lambda_powertools import Logger, Metrics, Tracer


def _handler() -> logging.Handler | None:
    # Local runs (demo, replay) send structured logs to a file so the terminal shows what an editor reads.
    path = os.environ.get("LOCALANGLE_LOG_FILE")
    return logging.FileHandler(path, encoding="utf-8") if path else None


logger = Logger(service="localangle", logger_handler=_handler())
tracer = Tracer(service="localangle")
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "localangle"), service="localangle"
)
