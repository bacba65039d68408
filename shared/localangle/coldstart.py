"""A handler's cold start: its imports run without the cyclic garbage collector.

Importing a handler builds some 85,000 objects the collector tracks (modules, classes, functions, botocore's
and pydantic's tables), and they live as long as the process. The cyclic collector, left on, walks them again
and again while they are being built, then at every full collection for the rest of the process; none of them
is ever garbage.
So a handler imports inside `imports()`: the collector is paused, and what the imports built is frozen
(`gc.freeze`: moved where no later collection looks). `localangle bench` measured about 20 ms less per cold
start, and no 17 ms full collection waiting for a later invocation.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_frozen = False


@contextmanager
def imports() -> Iterator[None]:
    """Pause the cyclic collector for the imports in the block; freeze what they built.

    Freezing happens once per process. Lambda imports its handler once; a process that loads handlers again
    and again (the local driver, the tests) freezes only what stood at the first, so what it discards later
    can still be collected."""
    global _frozen
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not _frozen:
            gc.freeze()
            _frozen = True
        if enabled:
            gc.enable()
