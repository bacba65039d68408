"""Article text written to abuse Slack and email goes through the whole flow and reaches nobody as markup."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from localangle.adapters import aws
from localangle.articles import read_article_file
from localangle.local.world import World
from tests.conftest import ARTICLES

PINGS = ["<!channel>", "<!here", "<!everyone>", "<@U123ABC>", "<#C0LD>", "<!subteam^S1>"]
DISGUISED = "<http://evil.example/phish|"


def test_hostile_article_text_cannot_ping_disguise_links_or_break_headers(seed_world: World) -> None:
    # Given the Warrington Guardian's story with Slack markup and a header break planted in it
    story = read_article_file(ARTICLES / "001_bc18daddbc62a9cf.txt")
    hostile = story.text.replace(
        "Cheshire Police has confirmed 21 men",
        "<!channel> <!here|here> <!everyone> <@U123ABC> <#C0LD> <!subteam^S1> "
        "Cheshire Police has confirmed 21 men",
        1,
    ).replace(
        "were arrested in the town,",
        "were arrested in the town, <http://evil.example/phish|Cheshire Constabulary statement>,",
        1,
    )
    assert hostile != story.text and "<!channel>" in hostile and DISGUISED in hostile
    article = story.model_copy(
        update={
            "text": hostile,
            "title": "Warrington arrests <!channel>\r\nBcc: everyone@victim.example",
            "outlet": "Warrington Guardian",
            "published": datetime(2014, 7, 16, 9, 30, tzinfo=UTC),
        }
    )
    sent_email: list[dict[str, Any]] = []
    aws.client("ses").meta.events.register(
        "provide-client-params.ses.SendEmail", lambda params, **_: sent_email.append(dict(params))
    )
    seed_world.publish("warrington-guardian", article, None, "hostile")
    # When the scheduled flow runs
    seed_world.tick(datetime(2014, 7, 16, 9, 45, tzinfo=UTC))
    # Then the alert went out (the angle for Cheshire, quoting the planted sentence)...
    assert [a["kind"] for a in seed_world.alerts()] == ["new_regional_angle"]
    assert seed_world.slack.messages and sent_email
    # ... and in Slack every planted mention and link is inert text
    for _, payload in seed_world.slack.messages:
        raw = json.dumps(payload, ensure_ascii=False)
        for ping in PINGS:
            assert ping not in raw
        assert DISGUISED not in raw
        assert "&lt;!channel&gt;" in raw and "&lt;http://evil.example/phish|" in raw
        assert not re.search(r"<(?!https?://)[!@#]", raw), "no Slack control sequence at all"
    # ... and in email: one-line subject, escaped HTML, no link to the planted address
    for params in sent_email:
        subject = params["Message"]["Subject"]["Data"]
        assert "\r" not in subject and "\n" not in subject and "Bcc" not in subject
        body_html = params["Message"]["Body"]["Html"]["Data"]
        assert "<!channel>" not in body_html and "&lt;!channel&gt;" in body_html
        assert 'href="http://evil.example' not in body_html and "href='http://evil.example" not in body_html
        assert all("\n" not in a and "\r" not in a for a in params["Destination"]["ToAddresses"])
        assert params["Destination"]["ToAddresses"] == ["national.desk@newsroom.example"]
