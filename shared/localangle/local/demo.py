"""`localangle demo`: the scheduled flow end to end on the seed articles, printed as a newsroom sees it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict

from localangle.adapters import aws
from localangle.adapters.storage import LedgerTable
from localangle.articles import read_article_file
from localangle.config import ConfigError, load_dir
from localangle.core.gazetteer import load_gazetteer
from localangle.local.world import World
from localangle.models.alert import Alert
from localangle.render import as_text, view
from localangle.report import as_text as report_text
from localangle.report import cells, report_key


class Story(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str
    feed: str
    published: AwareDatetime
    slug: str


class Timeline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stories: list[Story]


def run_demo(root: Path, out_dir: Path, out: TextIO) -> int:
    seeds = root / "seeds"
    config = load_dir(seeds)
    try:
        timeline = Timeline.model_validate(yaml.safe_load((seeds / "demo.yaml").read_text(encoding="utf-8")))
    except Exception as exc:
        raise ConfigError(f"{seeds / 'demo.yaml'}: {exc}") from exc
    operations = [
        (p.name, p.read_text(encoding="utf-8")) for p in sorted((seeds / "operations").glob("*.yaml"))
    ]
    out.write(
        f"localangle demo: {len(timeline.stories)} articles from {len(config.feeds)} outlets, "
        f"{len(config.operations)} tracked operation(s), {len(config.newsrooms)} newsrooms\n"
        "AWS is moto; feeds, pages and Slack are real HTTP servers on 127.0.0.1.\n\n"
    )
    with World(root, operations, config.newsrooms, out_dir / "demo.log") as world:
        for feed in config.feeds:
            world.add_outlet(feed)
        world.upload_config()
        feeds = {f.id: f for f in config.feeds}
        last = None
        for story in timeline.stories:
            article = read_article_file(seeds / story.file)
            article = article.model_copy(
                update={"outlet": feeds[story.feed].outlet, "published": story.published}
            )
            host = str(feeds[story.feed].url).split("/")[2]
            world.publish(story.feed, article, f"https://{host}/news/{story.slug}/", story.slug)
            before = len(world.alerts())
            world.tick(story.published)
            last = story.published
            out.write(
                f"{story.published:%H:%M}  {feeds[story.feed].outlet} publishes “{_short(article.title)}”\n"
            )
            for alert in world.alerts()[before:]:
                _print_alert(world, Alert.model_validate(alert), out)
        processed = world.flow.invocations.get("process_article", 0)
        sent = len(world.flow.delivered)
        again = (last or datetime.now().astimezone()) + timedelta(minutes=15)
        world.tick(again)
        out.write(
            f"{again:%H:%M}  scheduled run over unchanged feeds: "
            f"{world.flow.invocations.get('process_article', 0) - processed} articles processed, "
            f"{len(world.flow.delivered) - sent} alerts sent\n\n"
        )
        out.write(
            f"Slack messages received: {len(world.slack.messages)}; emails sent through SES: {_ses_count()}\n"
        )
        ledger = LedgerTable(world.cloud.env["LEDGER_TABLE"])
        bucket = world.cloud.env["ARCHIVE_BUCKET"]
        out_dir.mkdir(parents=True, exist_ok=True)
        for op in config.operations:
            rows = cells(op, ledger.operation_claims(op.id, list(op.metrics)))
            text_file = out_dir / f"ledger-{op.id}.txt"
            text_file.write_text(report_text(op, rows, load_gazetteer()), encoding="utf-8")
            key = report_key(op.id)
            page = out_dir / "ledger" / op.id / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_bytes(aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
            out.write(
                f"Ledger report for {op.id}: {page} (the Roundup function published it as s3://…/{key}); "
                f"as text: {text_file}\n"
            )
        out.write(f"Structured logs: {out_dir / 'demo.log'}\n")
        return len(world.alerts())


def _short(title: str, limit: int = 70) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _print_alert(world: World, alert: Alert, out: TextIO) -> None:
    text = as_text(view(alert))
    for local_url, published in world.published.items():
        text = text.replace(local_url, published.url or local_url)
    item = aws.client("dynamodb").get_item(
        TableName=world.cloud.env["ALERTS_TABLE"], Key={"alert_key": {"S": alert.key}}
    )
    delivered = sorted(item.get("Item", {}).get("delivered", {}).get("SS", []))
    out.write("\n" + "\n".join("       " + line for line in text.splitlines()) + "\n")
    out.write(f"       → sent to {', '.join(delivered) or 'no newsroom'}\n\n")


def _ses_count() -> int:
    stats = aws.client("ses").get_send_statistics().get("SendDataPoints", [])
    return sum(int(p.get("DeliveryAttempts", 0)) for p in stats)
