"""A handler's cold start: its imports run without the cyclic garbage collector.

Importing a handler builds some 85,000 objects the collector tracks (modules, classes, functions, botocore's
and pydantic's tables), and they live as long as the process. The cyclic collector, left on, walks them again
and again while they are being built, then at every full collection for the rest of the process; none of them
is ever garbage. So a handler imports inside `imports()`: the collector is paused, and in Lambda what the
imports built is frozen (`gc.freeze`: moved where no later collection looks). Roundup's import, 9 paired
runs on this machine: 249 ms with the collector on, 228 ms paused and frozen; the next full collection took
17 ms after the first and nothing after the second.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

_frozen = False


@contextmanager
def imports() -> Iterator[None]:
    """Pause the cyclic collector for the imports in the block; in Lambda, freeze what they built.

    Freezing happens once, and only in Lambda's runtime (`AWS_LAMBDA_RUNTIME_API` set, as in `sam local`),
    which imports its handler once per process. A process that loads handlers again and again beside other
    work (the local driver, the tests, the bench) would freeze that work too, garbage included, for good."""
    global _frozen
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not _frozen and os.environ.get("AWS_LAMBDA_RUNTIME_API"):
            gc.freeze()
            _frozen = True
        if enabled:
            gc.enable()
