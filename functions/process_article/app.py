"""ProcessArticle: read each article; the batch's hand-overs to the ledger and its archive go together."""

from localangle import coldstart

with coldstart.imports():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from localangle.batch import process_batch
    from localangle.models.messages import ArticleMessage
    from localangle.observability import lambda_context, metrics
    from localangle.pipeline.process import Reading, read_message, store


def record_handler(body: str) -> Reading | None:
    return read_message(ArticleMessage.model_validate_json(body))


@lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    return process_batch(event, record_handler, finish=store)
