"""ScheduleFeeds: on the EventBridge schedule, queue every feed that is due."""

from localangle import coldstart

with coldstart.imports():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from localangle.models.events import ScheduledEvent
    from localangle.observability import lambda_context, metrics
    from localangle.pipeline.schedule import schedule_feeds


@lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    scheduled = ScheduledEvent.model_validate(event)
    return {"scheduled": schedule_feeds(scheduled.time)}
