"""`localangle replay`: the whole flow offline, with articles arriving in the order given."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from localangle.articles import article_files, read_article_file
from localangle.local.world import Published, World, slugify
from localangle.models.config import FeedConfig, Newsroom, SlackChannel

START = datetime(2000, 1, 1, tzinfo=UTC)
NATIONAL_DESK = Newsroom(
    id="replay-desk",
    name="Replay desk",
    patch=["uk"],
    slack=SlackChannel(webhook_parameter="/localangle/slack/replay-desk"),
)


def replay(
    root: Path,
    operations: list[tuple[str, str]],
    paths: list[str],
    out: TextIO,
    log_file: Path | None = None,
    after: Callable[[World], None] | None = None,
) -> list[dict[str, Any]]:
    """Publish each file into its outlet's feed, one per scheduled run, and print each alert sent."""
    files = article_files(paths)
    articles = [read_article_file(p) for p in files]
    with World(root, operations, [NATIONAL_DESK], log_file) as world:
        # One feed per outlet; a file that names no outlet is its own outlet, known by its file name.
        feed_of: dict[str, str] = {}
        keys = [article.outlet or path.name for path, article in zip(files, articles, strict=True)]
        for key in keys:
            if key not in feed_of:
                feed_id = slugify(key)[:40] + f"-{len(feed_of) + 1}"
                feed_of[key] = feed_id
                world.add_outlet(
                    FeedConfig(
                        id=feed_id, outlet=key, url=f"https://{feed_id}.replay.localangle.example/feed.xml"
                    )
                )
        world.upload_config()
        alerts: list[dict[str, Any]] = []
        for n, (path, article) in enumerate(zip(files, articles, strict=True)):
            feed_id = feed_of[keys[n]]
            world.publish(feed_id, article, article.url, f"{n:04d}-{slugify(path.stem)}")
            world.tick(START + world.cloud.schedule_every * n)
            for alert in world.alerts()[len(alerts) :]:
                alerts.append(alert)
                out.write(json.dumps(as_json(alert, world), ensure_ascii=False) + "\n")
                out.flush()
        if after is not None:
            after(world)  # a look at the world's final state (the ledger) before it is torn down
        return alerts


def _claim(claim: dict[str, Any], world: World, with_scope: bool) -> dict[str, Any]:
    public: Published = world.public(claim["origin"].get("url"))
    out: dict[str, Any] = {}
    if with_scope:
        out["metric"] = claim["metric"]
    out.update(low=claim["low"], high=claim["high"])
    if with_scope:
        out["scope"] = claim["scope"]
    out.update(outlet=public.outlet, url=public.url, sentence=claim["sentence"], source=public.source)
    return out


def as_json(alert: dict[str, Any], world: World) -> dict[str, Any]:
    """An alert in DESIGN.md §4's shape, with sources shown as an editor knows them."""
    if alert["kind"] == "new_regional_angle":
        trigger = world.public(alert["trigger"].get("url"))
        return {
            "kind": alert["kind"],
            "operation": alert["operation"],
            "region": alert["region"],
            "figures": [_claim(c, world, True) for c in alert["figures"]],
            "outlet": trigger.outlet,
            "url": trigger.url,
            "source": trigger.source,
        }
    return {
        "kind": alert["kind"],
        "operation": alert["operation"],
        "metric": alert["metric"],
        "scope": alert["scope"],
        "claims": [_claim(c, world, False) for c in alert["claims"]],
        "explanation": alert["explanation"],
        "severity": alert["severity"],
        **({"follow_up_of": alert["follow_up_of"]} if alert.get("follow_up_of") else {}),
    }
