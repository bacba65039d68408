"""The base of every model in the package."""

from __future__ import annotations

import threading

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Refuses fields it does not know, and builds its validator on first use, not at import
    (`defer_build`): each handler imports the models of the whole package but uses a few. The ones it never
    uses are never built; the ones it uses are built at their first validation, in its first invocation.
    tests/unit/test_models.py builds every one of them, so a broken model still fails the tests."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


_built: set[type[Model]] = set()
_building = threading.Lock()


def build(*models: type[Model]) -> None:
    """Build these models' validators now, once, in this thread. A handler that validates in threads at
    once (FetchFeed) calls it first: pydantic builds a deferred validator without a lock, and two threads
    building one model together can each see it half built (pydantic#13419)."""
    with _building:
        for model in models:
            if model not in _built:
                model.model_rebuild(force=True)
                _built.add(model)
