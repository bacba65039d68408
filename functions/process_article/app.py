"""ProcessArticle: read each article and hand its figures to the ledger."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from localangle.batch import process_batch
from localangle.models.messages import ArticleMessage
from localangle.observability import logger, metrics
from localangle.pipeline.process import process_article


def record_handler(body: str) -> None:
    process_article(ArticleMessage.model_validate_json(body))


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    return process_batch(event, record_handler)
