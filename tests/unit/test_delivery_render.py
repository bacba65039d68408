"""Slack blocks and email carry the alert's figures, sentences and links, and article text stays inert."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from localangle.adapters.email import as_html, subject
from localangle.adapters.email import as_text as email_text
from localangle.adapters.slack import blocks
from localangle.models.alert import Alert, Claim, Source
from localangle.render import as_text, view

HOSTILE = "Police said <!channel> <@U123> see <http://evil.example|the BBC> & more\r\nBcc: victim@example.org"


def _alert(sentence: str = HOSTILE) -> Alert:
    origin = Source(
        article_id="a1", outlet="Courier\nBcc: x@example.org", url="https://courier.example/a?x=1|2"
    )
    claims = [
        Claim(
            metric="arrests",
            scope="cheshire/warrington",
            low=9,
            high=9,
            text="nine",
            sentence=sentence,
            origin=origin,
        ),
        Claim(
            metric="arrests",
            scope="cheshire/warrington",
            low=21,
            high=21,
            text="21",
            sentence="21 in Warrington.",
            origin=Source(article_id="a2", outlet="Warrington Guardian", url="https://wg.example/b"),
        ),
    ]
    return Alert(
        key="k1",
        kind="conflicting_figure",
        severity="warning",
        operation="op",
        operation_name="Op",
        metric="arrests",
        scope="cheshire/warrington",
        claims=claims,
        explanation="town given county total",
        headline="h",
        created_at=datetime(2014, 7, 16, tzinfo=UTC),
        trigger=origin,
    )


def test_slack_blocks_carry_values_sources_and_sentences() -> None:
    payload = json.dumps(blocks(view(_alert("Nine were arrested in Warrington."))))
    assert "Conflicting figure: arrests in Warrington" in payload
    assert "9 vs 21" in payload and "Nine were arrested in Warrington." in payload
    assert "<https://wg.example/b|Warrington Guardian>" in payload
    assert "town given county total" in payload


def test_article_text_cannot_ping_or_disguise_a_link_in_slack() -> None:
    payload = json.dumps(blocks(view(_alert())))
    for forbidden in ("<!channel>", "<@U123>", "<http://evil.example|"):
        assert forbidden not in payload
    assert "&lt;!channel&gt;" in payload


def test_email_escapes_html_and_keeps_headers_on_one_line() -> None:
    rendered = [view(_alert())]
    assert "\r" not in subject(rendered) and "\n" not in subject(rendered)
    html = as_html(rendered)
    assert "<!channel>" not in html and "&lt;!channel&gt;" in html
    assert "9 arrests — Warrington" in as_text(rendered[0])


def test_an_email_of_several_alerts_gives_each_in_full_and_counts_them_in_its_subject() -> None:
    first, second = view(_alert()), view(_alert("Nine were arrested in Warrington."))
    assert subject([first]) == "[localangle] Conflicting figure: arrests in Warrington"
    assert subject([first, second]).startswith("[localangle] 2 alerts: Conflicting figure: arrests in")
    assert len(subject([first] * 20)) == 98
    text, html = email_text([first, second]), as_html([first, second])
    assert text == as_text(first) + "\n\n" + as_text(second)
    assert html.count("<h2>") == 2 and html.count("<hr>") == 1 and html.count("Why:") == 2
    assert "Nine were arrested in Warrington." in html


def test_a_long_digest_stays_within_slacks_fifty_blocks() -> None:
    from localangle.render import summary_view

    digest = summary_view(
        "Hourly digest: 120 alerts", "Everything since the last digest.", [_alert()] * 120, "f"
    )
    made = blocks(digest)
    assert len(made) <= 50
    assert "and 80 more" in json.dumps(made)
    assert len(digest.items) == 120  # the email keeps them all


def test_a_link_too_long_for_a_slack_section_shows_its_label_and_keeps_the_sentence() -> None:
    long_url = "https://courier.example/a?" + "x=1&" * 1_000  # 4,026 characters, kept by the feed adapter
    alert = _alert("Nine were arrested in Warrington.")
    origin = alert.claims[0].origin.model_copy(update={"url": long_url})
    alert = alert.model_copy(update={"claims": [alert.claims[0].model_copy(update={"origin": origin})]})
    sections = [b["text"]["text"] for b in blocks(view(alert)) if b["type"] == "section"]
    [line] = [t for t in sections if "Nine were arrested in Warrington." in t]
    assert long_url not in line and "courier.example" not in line  # no link cut off inside its <…>
    assert "<" not in line and "Courier" in line
    assert long_url.replace("&", "&amp;") in as_html([view(alert)])  # the email carries it


def _whole(text: str) -> bool:
    """No link or entity cut short: every <…> closed, every & the start of one of the three escapes."""
    return text.count("<") == text.count(">") and all(
        text.startswith(("&amp;", "&lt;", "&gt;"), i) for i in range(len(text)) if text[i] == "&"
    )


def test_a_section_is_cut_within_slacks_limit_and_never_inside_a_link_or_an_entity() -> None:
    from localangle.adapters.slack import cut, escape

    text = "".join(
        ("<https://courier.example/a|Courier>", escape("Tom & Jerry <x> "), "nine arrested ")[i % 3]
        for i in range(60)
    )
    for limit in range(1, len(text) + 1):
        made = cut(text, limit)
        assert len(made) <= limit and _whole(made), (limit, made[-40:])
        assert made == text or (made.endswith("…") and text.startswith(made[:-1]))


def test_sixty_outlets_running_one_story_are_named_as_far_as_slack_allows_and_counted_beyond() -> None:
    from localangle.render import with_carriers

    sources = [
        Source(
            article_id=f"a{i}",
            outlet=f"The Example Courier & Advertiser {i}",
            url=f"https://news{i}.example/story",
        )
        for i in range(60)
    ]
    rendered = with_carriers(view(_alert("Nine were arrested in Warrington.")), [sources])
    [line] = [
        b["text"]["text"]
        for b in blocks(rendered)
        if b["type"] == "section" and "same story" in b["text"]["text"]
    ]
    assert len(line) <= 2900 and _whole(line)
    shown = line.count("<https://")
    assert 0 < shown < 60 and line.endswith(f" and {60 - shown} more")
    assert f"<https://news{shown - 1}.example/story|The Example Courier &amp; Advertiser {shown - 1}>" in line


def test_a_summary_past_slacks_limit_is_cut_rather_than_refused() -> None:
    from dataclasses import replace

    long = replace(view(_alert()), summary="Sources disagree & " * 400)
    [summary] = [b["text"]["text"] for b in blocks(long)[1:2]]
    assert len(summary) <= 2900 and summary.endswith("…") and _whole(summary)


def test_an_outlet_whose_link_alone_would_fill_the_section_is_named_without_it() -> None:
    from localangle.render import with_carriers

    head, more = "*The same story ran in 5 outlets:* ", " and 4 more"
    name = ("Very " * 600)[: 2895 - len(head) - len(more) - 2]  # with " 0" and those, 2,895 characters
    sources = [
        Source(article_id=f"a{i}", outlet=f"{name} {i}", url=f"https://news{i}.example/a") for i in range(5)
    ]
    rendered = with_carriers(view(_alert("Nine were arrested in Warrington.")), [sources])
    [line] = [b["text"]["text"] for b in blocks(rendered) if "same story" in str(b)]
    assert len(line) <= 2900 and _whole(line)
    assert "<https://" not in line and line.endswith(f"{name} 0 and 4 more")
