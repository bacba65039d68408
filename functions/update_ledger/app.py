"""UpdateLedger: judge figures against the operation's ledger, one operation at a time (FIFO)."""

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from localangle.models.messages import LedgerMessage
from localangle.observability import logger, metrics
from localangle.pipeline.ledger import update_ledger

# FIFO: stop at the first failure so later messages of the operation are not judged out of order.
processor = SqsFifoPartialProcessor()


def record_handler(record: SQSRecord) -> None:
    update_ledger(LedgerMessage.model_validate_json(record.body))


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
