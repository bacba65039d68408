"""Roundup: on the schedule, publish changed ledger reports and send the summaries and digests due."""

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from localangle.observability import logger, metrics
from localangle.pipeline.roundup import register_context, roundup


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    register_context(context)
    scheduled = parse(event=event, model=EventBridgeModel)
    return roundup(scheduled.time)
