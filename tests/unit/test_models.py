"""Every model builds: they build their validators on first use (defer_build), so a broken one would
otherwise pass the imports and fail in a function's first invocation."""

from __future__ import annotations

import importlib
import pkgutil

import localangle
from localangle.models.base import Model


def _subclasses(cls: type[Model]) -> list[type[Model]]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def test_every_model_of_the_package_builds() -> None:
    for module in pkgutil.walk_packages(localangle.__path__, "localangle."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    models = _subclasses(Model)
    assert {"Alert", "Article", "Config", "Delivery", "LedgerMessage", "ScheduledEvent", "Settings"} <= {
        m.__name__ for m in models
    }
    for model in models:
        assert model.model_rebuild(force=True) is not False, model
        assert model.__pydantic_complete__, model


def test_an_email_address_that_could_break_a_mail_header_is_refused() -> None:
    import pytest
    from pydantic import ValidationError

    from localangle.models.config import Newsroom, OpsChannel

    room = {"id": "desk", "name": "Desk", "patch": ["uk"]}
    assert Newsroom.model_validate({**room, "email": ["news@desk.example"]}).email == ["news@desk.example"]
    for bad in ("news@desk.example\r\nBcc: all@else.example", "news desk@desk.example", "newsdesk"):
        with pytest.raises(ValidationError):
            Newsroom.model_validate({**room, "email": [bad]})
        with pytest.raises(ValidationError):
            OpsChannel.model_validate({"email": [bad]})
