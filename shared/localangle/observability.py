"""The one Logger and Metrics of the service; every module logs through these.

No X-Ray SDK: importing it took about 110 ms of every cold start (`localangle bench`, handler_import_ms).
`Tracing: Active` in template.yaml still traces sampled invocations (init, invocation, overhead) without it;
what a subsegment per AWS call would add, the log keys (feed, article, operation, alert) already tell.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from aws_lambda_powertools import Logger, Metrics


class _Metrics(Metrics):
    """Powertools' Metrics, whose metric set is one dict shared by every thread: adding to it is locked, so
    that FetchFeed's concurrent records (batch.py) lose no count."""

    _lock = threading.Lock()

    def add_metric(self, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            super().add_metric(*args, **kwargs)


# Local runs (demo, replay) send these structured logs to a file while their world runs (local/world.py),
# so the terminal shows what an editor reads.
logger = Logger(service="localangle")
metrics = _Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "localangle"), service="localangle"
)


# What Powertools adds to every line of an invocation and the log group already says (each function logs
# to its own group, at its configured memory): a quarter of a short line's bytes, and ingestion is billed by
# the byte.
_CONTEXT_NOT_LOGGED = ["function_arn", "function_memory_size"]

H = TypeVar("H", bound=Callable[..., Any])


def lambda_context(handler: H) -> H:
    """Powertools' `inject_lambda_context` (cold start, function name and request id on every line of the
    invocation), without the keys the log group already tells."""

    @functools.wraps(handler)
    def trimmed(*args: Any, **kwargs: Any) -> Any:
        logger.remove_keys(_CONTEXT_NOT_LOGGED)
        return handler(*args, **kwargs)

    return logger.inject_lambda_context(trimmed)  # type: ignore[return-value]


M = TypeVar("M")
R = TypeVar("R")
P = ParamSpec("P")


def log_keys(
    keys: Callable[[Any], dict[str, str | None]],
) -> Callable[[Callable[Concatenate[M, P], R]], Callable[Concatenate[M, P], R]]:
    """Every line logged while the decorated stage handles one message carries the message's ids (feed id,
    article id, operation id, alert key), whichever of them it has; they are removed again after it. They are
    the thread's own keys, as a batch's records may be handled in threads at once. A message that fails is
    logged with its error before the failure goes on to the batch processor."""

    def wrap(stage: Callable[Concatenate[M, P], R]) -> Callable[Concatenate[M, P], R]:
        @functools.wraps(stage)
        def handle(message: M, *args: P.args, **kwargs: P.kwargs) -> R:
            extra = {k: v for k, v in keys(message).items() if v}
            logger.thread_safe_append_keys(**extra)
            try:
                return stage(message, *args, **kwargs)
            except Exception:
                # the batch reports the message failed by its id; here it is told with its keys and traceback
                logger.exception("message failed; it will be retried")
                raise
            finally:
                logger.thread_safe_remove_keys(list(extra))

        return handle

    return wrap
