"""ScheduleFeeds: on the EventBridge schedule, queue every feed that is due."""

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from localangle.observability import logger, metrics
from localangle.pipeline.schedule import schedule_feeds


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    scheduled = parse(event=event, model=EventBridgeModel)
    return {"scheduled": schedule_feeds(scheduled.time)}
