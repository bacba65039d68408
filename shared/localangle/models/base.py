"""The base of every model in the package."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Refuses fields it does not know, and builds its validator on first use, not at import
    (`defer_build`): each handler imports the models of the whole package but uses a few. The ones it never
    uses are never built; the ones it uses are built at their first validation, in its first invocation.
    tests/unit/test_models.py builds every one of them, so a broken model still fails the tests."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
