"""moto's SQS receive made to take time in proportion to the messages it returns, not to the queue's length
times them.

Before moto returns a message it checks the message against the queue's retention period, and it reads that
period by asking for all the queue's attributes, which counts every message in the queue (its approximate
numbers of messages visible, in flight and delayed) to give one setting, three times a message. A receive of
ten from a queue of 2,000 counted the queue 30 times over: the bench's run of a whole day in one schedule
period spent more than half its time there. The period is read from the queue itself here; the check is
otherwise moto's own.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Check retention from the queue's own setting, from now on in this process (once: later calls do
    nothing)."""
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    if getattr(SQSBackend.is_message_valid_based_on_retention_period, "reads_the_queue", False):
        return

    def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Any) -> bool:
        # set from the queue's attributes by name (setattr), so not declared on moto's Queue
        retention_period = int(self.get_queue(queue_name).message_retention_period)  # type: ignore[attr-defined]
        return bool(retention_period + message.sent_timestamp / 1000 > unix_time())

    is_message_valid_based_on_retention_period.reads_the_queue = True  # type: ignore[attr-defined]
    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period  # type: ignore[method-assign]
