"""A Slack webhook URL is a secret: the whole flow runs with known secret values and no log line, printed
line or stored record carries them."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from localangle.adapters import aws
from localangle.articles import read_article_file
from localangle.local.world import World
from tests.conftest import ROOT, operation_texts

TOKEN = "T0SECRET1/B0SECRET2/Xq7ZsecretTOKENvalue42"


def test_webhook_secrets_never_reach_a_log(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # other libraries' loggers (Powertools' batch processor) too
    from localangle.observability import logger

    log = tmp_path / "flow.log"
    # every record the service logs, formatted as it would be in CloudWatch, wherever else it also goes
    seen = io.StringIO()
    capture = logging.StreamHandler(seen)
    capture.setFormatter(logger.registered_formatter)
    logger.addHandler(capture)
    try:
        stored = _run(log)
    finally:
        logger.removeHandler(capture)
    printed = capfd.readouterr()
    logged = seen.getvalue() + log.read_text(encoding="utf-8") + caplog.text
    assert logged.count("\n") > 50  # the flow did log
    for where, text in (("logs", logged), ("stdout", printed.out), ("stderr", printed.err)):
        assert "SECRET" not in text and "secretTOKEN" not in text, where
    assert not any("secretTOKEN" in item for item in stored)


def _run(log: Path) -> list[str]:
    from localangle.config import load_dir

    config = load_dir(ROOT / "seeds")
    with World(ROOT, operation_texts(), config.newsrooms, log) as world:
        for room in config.newsrooms:
            if room.slack:  # each newsroom's webhook carries a secret token, as Slack's do
                aws.client("ssm").put_parameter(
                    Name=room.slack.webhook_parameter,
                    Type="SecureString",
                    Value=f"{world.slack.url}/services/{room.id}/{TOKEN}",
                    Overwrite=True,
                )
        for feed in config.feeds:
            world.add_outlet(feed)
        world.upload_config()
        # failures and retries are logged too: with the URL, if anything would leak it
        world.slack.refuse = [500, 429, 503, 404]
        outlets = list(world.outlets)
        for n, path in enumerate(sorted((ROOT / "seeds" / "articles").glob("*.txt"))):
            world.publish(outlets[n % len(outlets)], read_article_file(path), None, path.stem)
            world.tick(datetime(2014, 7, 16, 9, tzinfo=UTC) + timedelta(minutes=15 * n))
        assert any(TOKEN in path for path, _ in world.slack.messages)  # the secret was used
        assert world.slack.refused  # and the failures happened
        return [
            str(item)
            for name in ("ALERTS_TABLE", "IDEMPOTENCY_TABLE", "LEDGER_TABLE", "DIGEST_TABLE")
            for item in aws.client("dynamodb").scan(TableName=world.cloud.env[name])["Items"]
        ]
