"""UpdateLedger: judge figures against the operation's ledger, one operation at a time (FIFO)."""

from localangle import coldstart

with coldstart.imports():
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from localangle.batch import process_batch
    from localangle.models.messages import LedgerMessage
    from localangle.observability import lambda_context, metrics
    from localangle.pipeline.ledger import update_ledger


def record_handler(body: str) -> None:
    update_ledger(LedgerMessage.model_validate_json(body))


@lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    # FIFO: the first failure returns the rest of the batch too, so that later messages of the operation
    # are not judged out of order
    return process_batch(event, record_handler, fifo=True)
