"""Roundup: on the schedule, publish changed ledger reports and send the summaries, digests and emails due."""

from localangle import coldstart

with coldstart.imports():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from localangle.models.events import ScheduledEvent
    from localangle.observability import lambda_context, metrics
    from localangle.pipeline.roundup import register_context, roundup


@lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    register_context(context)
    scheduled = ScheduledEvent.model_validate(event)
    return roundup(scheduled.time, context.get_remaining_time_in_millis())
