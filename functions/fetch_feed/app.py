"""FetchFeed: poll one feed per message (a batch's feeds at once), archive new entries' pages, queue them."""

from localangle import coldstart

with coldstart.imports():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from localangle.observability import lambda_context, metrics
    from localangle.pipeline.fetch import poll_batch


@lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    return poll_batch(event)
