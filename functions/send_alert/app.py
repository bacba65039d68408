"""SendAlert: deliver each alert to the newsrooms it concerns."""

from localangle import coldstart

with coldstart.imports():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from localangle.batch import process_batch
    from localangle.models.messages import AlertMessage
    from localangle.observability import lambda_context, metrics
    from localangle.pipeline.send import register_context, send_message


def record_handler(body: str) -> None:
    send_message(AlertMessage.model_validate_json(body))


@lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    register_context(context)
    return process_batch(event, record_handler)
