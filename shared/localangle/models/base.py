"""The base of every model in the package."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Refuses fields it does not know, and builds its validator on first use, not at import
    (`defer_build`): each handler imports the models of the whole package but uses a few, and building all of
    them cost every cold start 15-30 ms (`localangle bench`, handler_import_ms)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
