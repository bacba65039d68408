"""FetchFeed: poll one feed per message (a batch's feeds at once), archive new entries' pages, queue them."""

from localangle import coldstart

with coldstart.imports():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from localangle.batch import process_batch
    from localangle.models.messages import FeedMessage
    from localangle.observability import logger, metrics
    from localangle.pipeline.fetch import FEEDS_AT_ONCE, fetch_feed, prepare


def record_handler(body: str, pages_until: float | None = None) -> None:
    fetch_feed(FeedMessage.model_validate_json(body), pages_until)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    pages_until = prepare()
    return process_batch(event, lambda body: record_handler(body, pages_until), workers=FEEDS_AT_ONCE)
